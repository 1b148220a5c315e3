using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Generation;

/// <summary>What <c>mga generate</c> (or a service call) asks for; null sampling values mean "the model set's default".</summary>
public sealed record GenerateRequest
{
    /// <summary>The description; null with <see cref="PromptsFile"/>, or for a bare continuation or melody.</summary>
    public string? Prompt { get; init; }

    /// <summary>A text file with one prompt per line: one output per prompt (NAME-001.wav, NAME-002.wav, ...).</summary>
    public string? PromptsFile { get; init; }

    /// <summary>Seconds of audio per prompt (a continuation prompt included).</summary>
    public double DurationSeconds { get; init; } = 10;

    /// <summary>File to write; its extension picks the format (.wav, or .mp3/.flac/.ogg through ffmpeg).</summary>
    public required string Output { get; init; }

    public SamplingChoice Sampling { get; init; } = new();
    public WavSampleFormat Format { get; init; } = WavSampleFormat.Float32;

    /// <summary>Audio to continue (<c>--continue FILE</c>); the duration then counts the prompt too.</summary>
    public string? Continue { get; init; }

    /// <summary>Reference melody for a MusicGen-Melody model (<c>--melody FILE</c>, any audio file).</summary>
    public string? Melody { get; init; }

    /// <summary>Integrated loudness (LUFS) to normalize each output to (<c>--loudness</c>); null: as generated.</summary>
    public double? Loudness { get; init; }
}
