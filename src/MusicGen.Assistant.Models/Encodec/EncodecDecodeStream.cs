using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// Decodes a code sequence whose frames arrive in order while it is still being generated
/// (<see cref="EncodecCodec.StartDecodeStream"/>): chunks are decoded as soon as the frames they read (their own and
/// the right-hand context of <see cref="EncodecChunking"/>) are there, so the first audio is out long before the last
/// frame. The length is known in advance (the generation's frame count), which fixes the chunk windows.
/// Not thread safe; the codec must not run another job meanwhile.
/// </summary>
public sealed class EncodecDecodeStream
{
    private readonly EncodecCodec _codec;
    private readonly int[][] _codes;
    private readonly IEnumerator<ChunkWindow> _windows;
    private readonly Action<float[][]> _sink;
    private readonly CarriedState _carried = new();
    private bool _hasWindow;

    internal EncodecDecodeStream(EncodecCodec codec, int codebooks, long totalFrames, int chunkFrames, Action<float[][]> sink)
    {
        if (codebooks < 1 || codebooks > codec.Config.NumQuantizers)
            throw new ArgumentOutOfRangeException(nameof(codebooks), codebooks, $"this EnCodec decodes 1 to {codec.Config.NumQuantizers} codebooks");
        if (totalFrames < 1 || totalFrames > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(totalFrames), totalFrames, "the stream needs at least one frame");
        _codec = codec;
        _sink = sink;
        _codes = Enumerable.Range(0, codebooks).Select(_ => new int[totalFrames]).ToArray();
        _windows = EncodecChunking.Windows(totalFrames, chunkFrames).GetEnumerator();
        _hasWindow = _windows.MoveNext();
    }

    /// <summary>Frames received so far.</summary>
    public int Frames { get; private set; }

    public int TotalFrames => _codes[0].Length;

    public bool IsComplete => Frames == TotalFrames && !_hasWindow;

    /// <summary>Adds the next frames (one array per codebook, all the same length) and decodes every chunk now ready.</summary>
    public void Push(int[][] frames)
    {
        if (frames.Length != _codes.Length) throw new ArgumentException($"{frames.Length} codebooks pushed, the stream has {_codes.Length}");
        var n = frames[0].Length;
        if (Frames + n > TotalFrames) throw new ArgumentException($"{Frames} + {n} frames pushed, the stream holds {TotalFrames}");
        for (var q = 0; q < frames.Length; q++)
        {
            if (frames[q].Length != n) throw new ArgumentException($"codebook {q} has {frames[q].Length} frames, codebook 0 has {n}");
            GgmlContext.CheckIndices(frames[q], _codec.Config.CodebookSize, $"codebook {q}");
            frames[q].CopyTo(_codes[q], Frames);
        }
        Frames += n;
        while (_hasWindow && _windows.Current.InputEnd <= Frames)
        {
            _sink(_codec.DecodeWindow(_codes, _windows.Current, _carried));
            _hasWindow = _windows.MoveNext();
        }
    }
}
