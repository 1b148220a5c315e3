namespace MusicGen.Assistant.Audio;

/// <summary>
/// Planar float32 audio: <c>Channels[c][frame]</c>, nominal full scale ±1.0.
/// The arrays are owned by the buffer but exposed for speed; every channel has exactly <see cref="FrameCount"/> samples.
/// </summary>
public sealed class AudioBuffer
{
    /// <summary>Wraps existing channel arrays (no copy). All channels must have the same length.</summary>
    public AudioBuffer(int sampleRate, float[][] channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Sample rate must be positive.");
        if (channels.Length == 0)
            throw new ArgumentException("An audio buffer needs at least one channel.", nameof(channels));
        for (int c = 0; c < channels.Length; c++)
        {
            if (channels[c] is null)
                throw new ArgumentException($"Channel {c} is null.", nameof(channels));
            if (channels[c].Length != channels[0].Length)
                throw new ArgumentException(
                    $"Channel {c} has {channels[c].Length} frames but channel 0 has {channels[0].Length}; " +
                    "all channels must have the same length.", nameof(channels));
        }
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Allocates a silent buffer.</summary>
    public AudioBuffer(int sampleRate, int channelCount, int frameCount)
        : this(sampleRate, AllocateChannels(channelCount, frameCount))
    {
    }

    public int SampleRate { get; }

    /// <summary>Planar samples, <c>[channel][frame]</c>.</summary>
    public float[][] Channels { get; }

    public int ChannelCount => Channels.Length;

    public int FrameCount => Channels[0].Length;

    /// <summary>Exact to the tick (100 ns), computed from integers.</summary>
    public TimeSpan Duration => FramesToDuration(FrameCount, SampleRate);

    public float[] this[int channel] => Channels[channel];

    public static TimeSpan FramesToDuration(long frames, int sampleRate) =>
        TimeSpan.FromTicks((long)((Int128)frames * TimeSpan.TicksPerSecond / sampleRate));

    /// <summary>Builds a planar buffer from interleaved samples (frame-major: L R L R ...).</summary>
    public static AudioBuffer FromInterleaved(ReadOnlySpan<float> interleaved, int channelCount, int sampleRate)
    {
        if (channelCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, "Channel count must be positive.");
        if (interleaved.Length % channelCount != 0)
            throw new ArgumentException(
                $"Interleaved length {interleaved.Length} is not a multiple of the channel count {channelCount}.",
                nameof(interleaved));
        int frames = interleaved.Length / channelCount;
        var buffer = new AudioBuffer(sampleRate, channelCount, frames);
        for (int c = 0; c < channelCount; c++)
        {
            float[] dst = buffer.Channels[c];
            for (int f = 0, i = c; f < frames; f++, i += channelCount)
                dst[f] = interleaved[i];
        }
        return buffer;
    }

    public float[] ToInterleaved()
    {
        var result = new float[(long)FrameCount * ChannelCount];
        CopyInterleavedTo(result);
        return result;
    }

    public void CopyInterleavedTo(Span<float> destination)
    {
        int channels = ChannelCount;
        if (destination.Length < (long)FrameCount * channels)
            throw new ArgumentException(
                $"Destination holds {destination.Length} samples; {FrameCount} frames × {channels} channels need {(long)FrameCount * channels}.",
                nameof(destination));
        for (int c = 0; c < channels; c++)
        {
            float[] src = Channels[c];
            for (int f = 0, i = c; f < src.Length; f++, i += channels)
                destination[i] = src[f];
        }
    }

    /// <summary>Copies a frame range into a new buffer.</summary>
    public AudioBuffer Slice(int startFrame, int frameCount)
    {
        if ((uint)startFrame > (uint)FrameCount || (uint)frameCount > (uint)(FrameCount - startFrame))
            throw new ArgumentOutOfRangeException(nameof(frameCount),
                $"Frames [{startFrame}, {startFrame}+{frameCount}) are outside the buffer's {FrameCount} frames.");
        var channels = new float[ChannelCount][];
        for (int c = 0; c < channels.Length; c++)
            channels[c] = Channels[c].AsSpan(startFrame, frameCount).ToArray();
        return new AudioBuffer(SampleRate, channels);
    }

    public AudioBuffer Clone() => Slice(0, FrameCount);

    public override string ToString() =>
        $"AudioBuffer({ChannelCount} ch, {SampleRate} Hz, {FrameCount} frames, {Duration.TotalSeconds:0.###} s)";

    private static float[][] AllocateChannels(int channelCount, int frameCount)
    {
        if (channelCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, "Channel count must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        var channels = new float[channelCount][];
        for (int c = 0; c < channelCount; c++)
            channels[c] = new float[frameCount];
        return channels;
    }
}
