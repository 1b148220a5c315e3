namespace MusicGen.Assistant.Audio.Resampling;

/// <summary>
/// One <see cref="Resampler"/> per channel, fed with <see cref="AudioBuffer"/> blocks (e.g. straight from
/// <c>WavFileReader.ReadBlocks</c>); all channels advance in lockstep, so every output block has whole frames.
/// </summary>
public sealed class MultiChannelResampler
{
    private readonly Resampler[] _channels;

    public MultiChannelResampler(int inputRate, int outputRate, int channelCount, ResamplerQuality? quality = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channelCount);
        _channels = new Resampler[channelCount];
        for (int c = 0; c < channelCount; c++)
            _channels[c] = new Resampler(inputRate, outputRate, quality);
    }

    public int InputRate => _channels[0].InputRate;

    public int OutputRate => _channels[0].OutputRate;

    public int ChannelCount => _channels.Length;

    /// <summary>Resamples one block; the result holds the frames this block completes (possibly none).</summary>
    public AudioBuffer Process(AudioBuffer block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.SampleRate != InputRate || block.ChannelCount != ChannelCount)
            throw new ArgumentException(
                $"Block is {block.ChannelCount} ch at {block.SampleRate} Hz; this resampler takes {ChannelCount} ch at {InputRate} Hz.",
                nameof(block));
        var output = new float[ChannelCount][];
        for (int c = 0; c < ChannelCount; c++)
            output[c] = _channels[c].Process(block.Channels[c]);
        return new AudioBuffer(OutputRate, output);
    }

    /// <summary>Ends the signal and returns the remaining frames.</summary>
    public AudioBuffer Flush()
    {
        var output = new float[ChannelCount][];
        for (int c = 0; c < ChannelCount; c++)
            output[c] = _channels[c].Flush();
        return new AudioBuffer(OutputRate, output);
    }

    public void Reset()
    {
        foreach (Resampler r in _channels)
            r.Reset();
    }
}
