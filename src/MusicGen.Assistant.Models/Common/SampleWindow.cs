namespace MusicGen.Assistant.Models;

/// <summary>Samples [start, start + length) of a source as a source of its own (e.g. the tail of a track to continue).</summary>
public sealed class SampleWindow : ISampleSource
{
    private readonly ISampleSource _source;
    private readonly long _start;

    public SampleWindow(ISampleSource source, long start, long length)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (start < 0 || length < 0 || start + length > source.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"window [{start}, {start + length}) is outside the source's {source.Length} samples");
        (_source, _start, Length) = (source, start, length);
    }

    public int Channels => _source.Channels;
    public long Length { get; }

    public void Read(int channel, long start, Span<float> destination)
    {
        if (start < 0 || start + destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"samples [{start}, {start + destination.Length}) are outside the window's {Length}");
        _source.Read(channel, _start + start, destination);
    }
}
