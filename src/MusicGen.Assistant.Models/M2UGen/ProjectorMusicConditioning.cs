using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The projector path's last step: the projector's scaled output (<see cref="ProjectorResult.Embedding"/>, B × 128 ×
/// 768 for the real model) stands in for T5's encoder output, with every position real (no padding), and goes
/// through MusicGen's enc_to_dec_proj and cross-attention like text states.
/// </summary>
public static class ProjectorMusicConditioning
{
    /// <summary>Refuses a projector whose out_dim is not the width of this MusicGen's text encoder, naming both.</summary>
    public static void CheckProjector(this EncoderStatesConditioning music, ProjectorConfig projector) =>
        music.CheckWidth(projector.OutDim, $"the output projector's outputs (out_dim {projector.OutDim})");

    /// <summary>The MusicGen conditioning of a projector pass (its scaled output, all positions attended).</summary>
    public static MusicGenConditioning Condition(this EncoderStatesConditioning music, ProjectorResult projected)
    {
        music.CheckWidth(projected.OutDim, $"the output projector's outputs (out_dim {projected.OutDim})");
        return music.Condition(projected.Embedding, projected.Batch, projected.OutputTokens, projected.OutDim);
    }
}
