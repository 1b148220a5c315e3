using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>How <see cref="AudioDecoder"/> delivers a file's audio. Left at null, rate and channels stay the source's.</summary>
public sealed record AudioDecodeOptions
{
    /// <summary>One hour: longer inputs are refused unless <see cref="MaxDuration"/> is raised.</summary>
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromHours(1);

    public const int DefaultBlockFrames = 1 << 16;

    /// <summary>Output rate; the source is resampled with our polyphase resampler when it differs. Null: the source's.</summary>
    public int? SampleRate { get; init; }

    /// <summary>
    /// Output channels (see <see cref="ChannelMixer.ToChannels"/>): 1 averages to mono, N from mono copies, equal keeps.
    /// Other changes (e.g. 5.1 to stereo) are refused as ambiguous. Null: the source's.
    /// </summary>
    public int? ChannelCount { get; init; }

    /// <summary>Inputs longer than this are refused (checked from the file's declared duration and while reading).</summary>
    public TimeSpan MaxDuration { get; init; } = DefaultMaxDuration;

    /// <summary>Resampler filter quality; null: <see cref="ResamplerQuality.Standard"/>.</summary>
    public ResamplerQuality? Quality { get; init; }

    /// <summary>The file's stream index (ffmpeg's 0:N) of the audio stream to read; null: the first audio stream.</summary>
    public int? StreamIndex { get; init; }

    /// <summary>Source frames decoded per block.</summary>
    public int BlockFrames { get; init; } = DefaultBlockFrames;

    /// <summary>Where ffmpeg is; null: <see cref="MediaTools.Default"/> (looked up only for files that are not plain WAV).</summary>
    public MediaTools? Tools { get; init; }

    /// <summary>Options for a model input: this rate and channel count.</summary>
    public static AudioDecodeOptions For(int sampleRate, int channelCount) => new() { SampleRate = sampleRate, ChannelCount = channelCount };

    internal void Validate()
    {
        if (SampleRate is <= 0)
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "The output sample rate must be positive.");
        if (ChannelCount is <= 0)
            throw new ArgumentOutOfRangeException(nameof(ChannelCount), ChannelCount, "The output channel count must be positive.");
        if (MaxDuration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxDuration), MaxDuration, "The duration limit must be positive.");
        if (BlockFrames <= 0)
            throw new ArgumentOutOfRangeException(nameof(BlockFrames), BlockFrames, "The block size must be positive.");
    }
}
