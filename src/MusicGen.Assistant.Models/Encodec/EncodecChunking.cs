namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// Frame windows of one chunk. The chunk's own frames are [Start, End); the LSTM runs over [LstmStart, LstmEnd)
/// (<see cref="EncodecChunking.Lookaround"/> frames of context each side for the layers after it) and the layers before
/// it over [InputStart, InputEnd) (another <see cref="EncodecChunking.ConvContext"/> frames), all clipped to the
/// sequence. Because the LSTM state is carried from the previous chunk and every convolution sees enough real
/// neighbours, each chunk's frames equal those of one whole-sequence pass.
/// </summary>
public readonly record struct ChunkWindow(long Start, long End, long LstmStart, long LstmEnd, long InputStart, long InputEnd, long StateFrame)
{
    public bool IsLast => StateFrame < 0;
}

public static class EncodecChunking
{
    /// <summary>Frames of context for the layers after the LSTM (their receptive field is under 3 frames at 32 kHz).</summary>
    public const int Lookaround = 6;

    /// <summary>Frames of context for the layers before the LSTM (the encoder's stack spans under 2 frames).</summary>
    public const int ConvContext = 4;

    public static IEnumerable<ChunkWindow> Windows(long totalFrames, int chunkFrames)
    {
        if (chunkFrames <= Lookaround) throw new ArgumentOutOfRangeException(nameof(chunkFrames), $"a chunk must be longer than {Lookaround} frames");
        for (long a = 0; a < totalFrames; a += chunkFrames)
        {
            var b = Math.Min(totalFrames, a + chunkFrames);
            var s0 = Math.Max(0, a - Lookaround);
            var e = Math.Min(totalFrames, b + Lookaround);
            var p0 = Math.Max(0, s0 - ConvContext);
            var p1 = Math.Min(totalFrames, e + ConvContext);
            // the next chunk's LSTM starts at b - Lookaround: hand over the state reached there
            var state = b >= totalFrames ? -1 : b - Lookaround;
            yield return new ChunkWindow(a, b, s0, e, p0, p1, state);
        }
    }
}
