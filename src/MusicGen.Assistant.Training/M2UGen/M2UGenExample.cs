using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>Encoder features of one attached medium, as its adapter takes them (music: MERT time means [C, W]; image / video: tokens [C, W]).</summary>
public sealed record MediaFeatures(M2UGenModality Modality, float[] Values, int Channels, int Width);

/// <summary>
/// One M2UGen training sequence: its tokens and prompt length, the attached medium's features (null: the prefix rows
/// alone enter the adapter layers), and for answers that end in [AUD0..7] the projector's target (10 × the T5 encoder
/// output of the music caption, padded to the projector's query count; [queries, width] row-major).
/// </summary>
public sealed record M2UGenExample(string Id, PromptTokens Prompt, MediaFeatures? Media, float[]? ProjectorTarget = null)
{
    public int Length => Prompt.Tokens.Length;
}
