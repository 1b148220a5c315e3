namespace MusicGen.Assistant.Audio;

/// <summary>
/// Channel-count conversions that have one obvious meaning: down-mix to mono by averaging, up-mix mono by copying.
/// Anything else (e.g. 5.1 → stereo) needs a mixing matrix the caller must choose, so it is refused.
/// </summary>
public static class ChannelMixer
{
    /// <summary>Average of all channels (a mono input is copied).</summary>
    public static AudioBuffer ToMono(AudioBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        int frames = buffer.FrameCount;
        var mono = new float[frames];
        float[][] src = buffer.Channels;
        if (src.Length == 1)
        {
            src[0].AsSpan().CopyTo(mono);
            return new AudioBuffer(buffer.SampleRate, [mono]);
        }
        // Sum in double per frame so the result does not depend on channel order and stays exact for small counts.
        double scale = 1.0 / src.Length;
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int c = 0; c < src.Length; c++)
                sum += src[c][f];
            mono[f] = (float)(sum * scale);
        }
        return new AudioBuffer(buffer.SampleRate, [mono]);
    }

    /// <summary>
    /// Converts to <paramref name="channelCount"/> channels: same count → copy; mono → n identical copies;
    /// n → mono → average. Other conversions are ambiguous and throw.
    /// </summary>
    public static AudioBuffer ToChannels(AudioBuffer buffer, int channelCount)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (channelCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, "Channel count must be positive.");
        if (channelCount == buffer.ChannelCount)
            return buffer.Clone();
        if (channelCount == 1)
            return ToMono(buffer);
        if (buffer.ChannelCount == 1)
        {
            var channels = new float[channelCount][];
            for (int c = 0; c < channelCount; c++)
                channels[c] = (float[])buffer.Channels[0].Clone();
            return new AudioBuffer(buffer.SampleRate, channels);
        }
        throw new ArgumentException(
            $"Cannot convert {buffer.ChannelCount} channels to {channelCount}: the mapping is ambiguous. " +
            "Only mono → N (copy) and N → mono (average) are supported; down-mix to mono first or pick channels explicitly.",
            nameof(channelCount));
    }
}
