using MusicGen.Assistant.Generation;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// Keeps streamed chunks of an untrained set's track below the ceiling the finished file gets
/// (<see cref="TrackOutput.LimitPeak"/>), which needs the whole track: each chunk is scaled by a gain that only ever
/// goes down, so a listener never hears the raw random codec at full scale. Trained sets' chunks pass unchanged.
/// </summary>
internal sealed class StreamedLevel(double? ceilingDbfs)
{
    private readonly float _ceiling = ceilingDbfs is { } c ? (float)Math.Pow(10, c / 20) : float.PositiveInfinity;
    private float _gain = 1;

    public AudioChunk Apply(AudioChunk chunk)
    {
        if (float.IsPositiveInfinity(_ceiling)) return chunk;
        var peak = chunk.Channels.SelectMany(c => c).Select(MathF.Abs).DefaultIfEmpty(0).Max();
        if (peak * _gain > _ceiling) _gain = _ceiling / peak;
        if (_gain >= 1) return chunk;
        return chunk with { Channels = chunk.Channels.Select(c => c.Select(v => v * _gain).ToArray()).ToArray() };
    }
}
