using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Reads one audio stream of a media file block by block, already mixed to the asked channel count and resampled to
/// the asked rate (see <see cref="AudioDecodeOptions"/>). Memory stays at one block whatever the file's length.
/// Create with <see cref="AudioDecoder.Open"/>; dispose to stop ffmpeg early.
/// </summary>
public sealed class MediaAudioReader : IDisposable
{
    private readonly PcmSource _source;
    private readonly MultiChannelResampler? _resampler;
    private readonly int _blockFrames;
    private readonly long _limitFrames;
    private readonly TimeSpan _limit;
    private bool _ended, _disposed;

    internal MediaAudioReader(PcmSource source, MediaInfo info, MediaStreamInfo stream, AudioDecodeOptions options)
    {
        _source = source;
        Source = info;
        Stream = stream;
        SourceSampleRate = stream.SampleRate!.Value;
        SourceChannelCount = stream.Channels!.Value;
        SampleRate = options.SampleRate ?? SourceSampleRate;
        ChannelCount = options.ChannelCount ?? SourceChannelCount;
        _blockFrames = options.BlockFrames;
        _limit = options.MaxDuration;
        _limitFrames = (long)Math.Ceiling(options.MaxDuration.TotalSeconds * SourceSampleRate);
        if (SampleRate != SourceSampleRate)
            _resampler = new MultiChannelResampler(SourceSampleRate, SampleRate, Math.Min(SourceChannelCount, ChannelCount), options.Quality);
    }

    /// <summary>The file and its streams.</summary>
    public MediaInfo Source { get; }

    /// <summary>The audio stream being read.</summary>
    public MediaStreamInfo Stream { get; }

    public int SourceSampleRate { get; }

    public int SourceChannelCount { get; }

    /// <summary>Rate of the blocks returned.</summary>
    public int SampleRate { get; }

    /// <summary>Channels of the blocks returned.</summary>
    public int ChannelCount { get; }

    /// <summary>The stream's declared duration, when the file declares one.</summary>
    public TimeSpan? DeclaredDuration => Source.DurationOf(Stream);

    /// <summary>The declared duration in source frames (for progress), when known.</summary>
    public long? DeclaredSourceFrames =>
        DeclaredDuration is { } d ? (long)Math.Round(d.TotalSeconds * SourceSampleRate) : null;

    /// <summary>Frames decoded from the file so far, at the source rate.</summary>
    public long SourceFramesRead { get; private set; }

    /// <summary>Frames returned so far, at <see cref="SampleRate"/>.</summary>
    public long FramesRead { get; private set; }

    /// <summary>The next block (at most one source block's worth, resampled); null at the end.</summary>
    /// <exception cref="MediaFormatException">The file is longer than the limit, truncated, or fails to decode.</exception>
    public AudioBuffer? ReadBlock()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!_ended)
        {
            var channels = new float[SourceChannelCount][];
            for (int c = 0; c < channels.Length; c++)
                channels[c] = new float[_blockFrames];
            int frames = _source.Read(channels, _blockFrames);
            if (frames == 0)
            {
                _ended = true;
                _source.Finish(SourceFramesRead);
                if (_resampler is null)
                    return null;
                AudioBuffer tail = Mix(_resampler.Flush());
                return Deliver(tail);
            }
            SourceFramesRead += frames;
            if (SourceFramesRead > _limitFrames)
                throw TooLong($"decoding passed the limit of {Describe(_limit)} (MaxDuration) and was stopped");
            if (frames < _blockFrames)
                for (int c = 0; c < channels.Length; c++)
                    Array.Resize(ref channels[c], frames);
            if (Convert(new AudioBuffer(SourceSampleRate, channels)) is { FrameCount: > 0 } block)
                return Deliver(block);
        }
        return null;
    }

    /// <summary>Consecutive blocks to the end.</summary>
    public IEnumerable<AudioBuffer> ReadBlocks()
    {
        while (ReadBlock() is { } block)
            yield return block;
    }

    /// <summary>Everything from here to the end in one buffer.</summary>
    public AudioBuffer ReadToEnd()
    {
        long expected = DeclaredDuration is { } d ? (long)Math.Ceiling(d.TotalSeconds * SampleRate) + 1 : _blockFrames;
        var output = new float[ChannelCount][];
        int capacity = (int)Math.Clamp(expected, 1, Array.MaxLength);
        for (int c = 0; c < output.Length; c++)
            output[c] = new float[capacity];
        int length = 0;
        while (ReadBlock() is { } block)
        {
            if ((long)length + block.FrameCount > Array.MaxLength)
                throw new MediaFormatException(Source.Path, MediaProblem.TooLong,
                    $"more than {Array.MaxLength} frames do not fit one in-memory buffer; read it in blocks");
            if (length + block.FrameCount > output[0].Length)
            {
                int grown = (int)Math.Min(Array.MaxLength, Math.Max((long)output[0].Length * 2, length + block.FrameCount));
                for (int c = 0; c < output.Length; c++)
                    Array.Resize(ref output[c], grown);
            }
            for (int c = 0; c < output.Length; c++)
                block.Channels[c].CopyTo(output[c], length);
            length += block.FrameCount;
        }
        if (length != output[0].Length)
            for (int c = 0; c < output.Length; c++)
                Array.Resize(ref output[c], length);
        return new AudioBuffer(SampleRate, output);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _source.Dispose();
    }

    internal MediaFormatException TooLong(string how) =>
        new(Source.Path, MediaProblem.TooLong,
            $"the audio is longer than the limit of {Describe(_limit)}: {how}; trim the file or raise the limit");

    internal static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.###} s"
        : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0.##} min ({span.TotalSeconds:0} s)"
        : $"{span.TotalHours:0.##} h ({span.TotalSeconds:0} s)";

    private AudioBuffer Deliver(AudioBuffer block)
    {
        FramesRead += block.FrameCount;
        return block;
    }

    // Fewer channels: mix first so the resampler does less work; more channels: resample the mono signal, then copy.
    private AudioBuffer Convert(AudioBuffer block)
    {
        if (ChannelCount < SourceChannelCount)
            block = ChannelMixer.ToChannels(block, ChannelCount);
        if (_resampler is not null)
            block = _resampler.Process(block);
        return Mix(block);
    }

    private AudioBuffer Mix(AudioBuffer block) =>
        block.ChannelCount == ChannelCount ? block : ChannelMixer.ToChannels(block, ChannelCount);
}
