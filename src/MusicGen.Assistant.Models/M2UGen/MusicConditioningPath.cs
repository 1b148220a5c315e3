namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// How an M2UGen reply with [AUD0..7] conditions MusicGen; the pipeline selects one.
/// </summary>
public enum MusicConditioningPath
{
    /// <summary>
    /// The released behaviour (M2UGen HEAD, m2ugen.py generate_music): the decoded reply text → T5 (padded to 128) →
    /// enc_to_dec_proj → MusicGen. The projector output is computed there but thrown away.
    /// </summary>
    Text,

    /// <summary>
    /// The paper's path (the code up to commit 442a7a4): the [AUD] hidden states + [AUD] embeddings → output projector
    /// → × output scale → stands in for T5's encoder output → enc_to_dec_proj → MusicGen
    /// (<see cref="OutputProjector"/>, <see cref="MusicGenLm.EncoderStatesConditioning"/>).
    /// </summary>
    Projector,
}

public static class MusicConditioningPaths
{
    /// <summary>The name used in manifests and options: "text" or "projector".</summary>
    public static string Name(this MusicConditioningPath path) => path switch
    {
        MusicConditioningPath.Text => "text",
        MusicConditioningPath.Projector => "projector",
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown music conditioning path"),
    };

    public static MusicConditioningPath Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "text" => MusicConditioningPath.Text,
        "projector" => MusicConditioningPath.Projector,
        _ => throw new ArgumentException($"unknown music conditioning path '{text}' (use \"text\" or \"projector\")", nameof(text)),
    };
}
