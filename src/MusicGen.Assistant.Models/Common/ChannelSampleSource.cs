namespace MusicGen.Assistant.Models;

/// <summary>One channel of a multi-channel source as a mono source (a stereo model codes each channel on its own).</summary>
public sealed class ChannelSampleSource : ISampleSource
{
    private readonly ISampleSource _source;
    private readonly int _channel;

    public ChannelSampleSource(ISampleSource source, int channel)
    {
        ArgumentNullException.ThrowIfNull(source);
        if ((uint)channel >= (uint)source.Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"the source has channels 0..{source.Channels - 1}");
        (_source, _channel) = (source, channel);
    }

    public int Channels => 1;
    public long Length => _source.Length;

    public void Read(int channel, long start, Span<float> destination)
    {
        if (channel != 0) throw new ArgumentOutOfRangeException(nameof(channel), channel, "a single-channel view has only channel 0");
        _source.Read(_channel, start, destination);
    }
}
