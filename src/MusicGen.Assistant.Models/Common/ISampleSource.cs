namespace MusicGen.Assistant.Models;

/// <summary>
/// Random access to a long multi-channel signal at the model's rate, so a model can read chunk windows (with their
/// overlap) without the whole signal in memory.
/// </summary>
public interface ISampleSource
{
    int Channels { get; }
    long Length { get; }

    /// <summary>Copies samples [start, start + destination.Length) of one channel.</summary>
    void Read(int channel, long start, Span<float> destination);
}

/// <summary>A signal already in memory: one array per channel.</summary>
public sealed class ArraySampleSource : ISampleSource
{
    private readonly float[][] _channels;

    public ArraySampleSource(params float[][] channels)
    {
        if (channels.Length == 0) throw new ArgumentException("at least one channel");
        if (channels.Any(c => c.Length != channels[0].Length)) throw new ArgumentException("channels differ in length");
        _channels = channels;
    }

    public int Channels => _channels.Length;
    public long Length => _channels[0].Length;

    public void Read(int channel, long start, Span<float> destination) =>
        _channels[channel].AsSpan(checked((int)start), destination.Length).CopyTo(destination);
}
