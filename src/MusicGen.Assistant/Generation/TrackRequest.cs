using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Generation;

/// <summary>One track to render on a loaded model set.</summary>
public sealed record TrackRequest
{
    /// <summary>The description; null for none (a continuation or a melody alone, or unconditional).</summary>
    public string? Text { get; init; }

    /// <summary>Seconds of the result, a continuation prompt included.</summary>
    public required double Seconds { get; init; }

    /// <summary>Sampling and guidance (<see cref="SamplingChoice.Settings"/> fills them from the set's defaults).</summary>
    public required SamplingSettings Sampling { get; init; }

    public ulong Seed { get; init; }

    /// <summary>Audio the result starts with and continues (<see cref="ContinuationPrompt.Load"/>).</summary>
    public ContinuationPrompt? Continuation { get; init; }

    /// <summary>A reference melody (MusicGen-Melody sets only; <see cref="MelodyInput.Load"/>).</summary>
    public MelodyInput? Melody { get; init; }

    /// <summary>The plan to follow; null: <see cref="TrackPlan.For"/> with this text's conditioning prefix.</summary>
    public TrackPlan? Plan { get; init; }
}
