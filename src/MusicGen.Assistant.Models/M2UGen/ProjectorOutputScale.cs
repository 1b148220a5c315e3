namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The factor applied to the output projector's result before it stands in for T5's encoder output in MusicGen: the
/// one place this number is decided (<see cref="ProjectorConfig.OutputScale"/> carries the chosen value).
/// <para>
/// Why a factor at all: stage 2 trained the projector with MSE against <c>10 × T5 last_hidden_state</c> (m2ugen.py
/// forward: <c>out_embed = 10 * ...</c>), so a trained projector outputs ten times T5's scale. Dividing by 10 gives
/// MusicGen states on the scale its cross-attention was trained on; that is what the code did while the projector
/// still drove MusicGen (up to commit 442a7a4: <c>gen_emb = projector(...) / 10</c>).
/// </para>
/// <para>
/// HEAD (2c702a4) writes <c>gen_emb = 0.1 * projector(...) / 10</c>, i.e. ÷100, and then throws gen_emb away (MusicGen is
/// prompted with the reply text instead), so that factor never reached MusicGen and is most likely a slip. We default
/// to <see cref="UndoTrainingTarget"/> and keep <see cref="Head"/> to reproduce HEAD's (unused) gen_emb exactly.
/// </para>
/// </summary>
public static class ProjectorOutputScale
{
    /// <summary>1/10: undoes the ×10 training target (the older code's <c>/ 10</c>); the default.</summary>
    public const double UndoTrainingTarget = 0.1;

    /// <summary>HEAD's <c>0.1 * x / 10</c> = 1/100 (computed at HEAD, then discarded).</summary>
    public const double Head = 0.1 / 10;
}
