using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>What <c>mga generate</c> was asked for; null sampling values mean "the model set's default".</summary>
internal sealed record GenerateOptions
{
    public string? Prompt { get; init; }
    public string? PromptsFile { get; init; }
    public double DurationSeconds { get; init; }
    public required string Output { get; init; }
    public required SamplingChoice Sampling { get; init; }
    public WavSampleFormat Format { get; init; } = WavSampleFormat.Float32;

    /// <summary>Audio to continue (<c>--continue FILE</c>); the duration then counts the prompt too.</summary>
    public string? Continue { get; init; }

    /// <summary>Reference melody for a MusicGen-Melody model (<c>--melody FILE</c>, any audio file).</summary>
    public string? Melody { get; init; }

    /// <summary>Integrated loudness (LUFS) to normalize each output to (<c>--loudness</c>); null: as generated.</summary>
    public double? Loudness { get; init; }
}
