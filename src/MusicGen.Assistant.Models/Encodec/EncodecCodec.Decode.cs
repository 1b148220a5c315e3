using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

public sealed partial class EncodecCodec
{
    /// <summary>
    /// EncodecModel.decode: the sum of codewords, then the SEANet decoder; hop samples per frame. Each chunk's audio
    /// (one array per channel) goes to <paramref name="sink"/> in order, so long outputs stream to disk.
    /// </summary>
    public void Decode(int[][] codes, Action<float[][]> sink, IProgress<ChunkProgress>? progress = null)
    {
        var total = ValidateCodes(codes);
        var carried = new CarriedState();
        foreach (var w in EncodecChunking.Windows(total, ChunkFrames))
        {
            sink(DecodeWindow(codes, w, carried));
            progress?.Report(new ChunkProgress(w.End, total, "decode"));
        }
    }

    /// <summary>
    /// Starts decoding codes that arrive a few frames at a time (a generation still running): each chunk of
    /// <paramref name="chunkFrames"/> frames is decoded and handed to <paramref name="sink"/> as soon as the frames it
    /// needs (its own plus the context of <see cref="EncodecChunking"/>) have arrived. The chunks equal those of
    /// <see cref="Decode(int[][], Action{float[][]}, IProgress{ChunkProgress}?)"/> with the same chunk length.
    /// </summary>
    public EncodecDecodeStream StartDecodeStream(int codebooks, long totalFrames, int chunkFrames, Action<float[][]> sink) =>
        new(this, codebooks, totalFrames, chunkFrames, sink);

    // One chunk: its own frames' samples, one array per channel; the LSTM state moves on in carried.
    internal float[][] DecodeWindow(int[][] codes, ChunkWindow w, CarriedState carried)
    {
        var build = Timings.Measure("build");
        using var ctx = NewGraphContext();
        var graph = new EncodecGraph(ctx, _weights, CpuKernels);
        var n = w.InputEnd - w.InputStart;
        var inputs = codes.Select((_, q) => ctx.NewInput($"codes.{q}", GgmlType.I32, n)).ToArray();
        var embedded = Signal.FromChannelsFirst(graph.Dequantize(inputs));                   // {dim, n}
        var x = RunAroundLstm(graph, ctx, _decoderBefore, _decoderLstm, _decoderAfter, embedded, w, carried);
        var tf = x.Relabel(ctx, channelsFirst: false).Data;                                    // {samples, channels}
        var hop = Config.HopLength;
        var own = ctx.Cont(ctx.View(tf, [(w.End - w.Start) * hop, tf.Ne1], [tf.Nb(1)], (w.Start - w.LstmStart) * hop * tf.Nb(0)));
        ctx.MarkOutput(own);
        var g = ctx.NewGraph().Expand(own);
        foreach (var r in carried.Roots) g.Expand(r);
        build.Dispose();

        using (Timings.Measure("allocate")) _executor.Allocate(g);
        using (Timings.Measure("upload"))
        {
            for (var q = 0; q < codes.Length; q++) inputs[q].SetData<int>(codes[q].AsSpan((int)w.InputStart, (int)n));
            carried.Upload();
        }
        using (Timings.Measure("compute")) _executor.Compute(g);
        var samples = (int)own.Ne0;
        var block = new float[own.Ne1][];
        using (Timings.Measure("download"))
        {
            carried.Download();
            for (var ch = 0; ch < block.Length; ch++)
            {
                block[ch] = new float[samples];
                own.GetData<float>(block[ch], (long)ch * samples * sizeof(float));
            }
        }
        return block;
    }

    /// <summary>Decodes to one array per channel of frames * hop samples.</summary>
    public float[][] Decode(int[][] codes, IProgress<ChunkProgress>? progress = null)
    {
        var total = ValidateCodes(codes);
        var result = Enumerable.Range(0, Config.AudioChannels).Select(_ => new float[total * Config.HopLength]).ToArray();
        long at = 0;
        Decode(codes, block =>
        {
            for (var ch = 0; ch < block.Length; ch++) block[ch].CopyTo(result[ch], at);
            at += block[0].Length;
        }, progress);
        return result;
    }

    /// <summary>quantizer.decode alone: the summed codewords, frame-major {dim per frame}.</summary>
    public float[] Dequantize(int[][] codes)
    {
        var total = ValidateCodes(codes);
        using var ctx = new GgmlContext(16 + 4 * codes.Length);
        var graph = new EncodecGraph(ctx, _weights, CpuKernels);
        var inputs = codes.Select((_, q) => ctx.NewInput($"codes.{q}", GgmlType.I32, total)).ToArray();
        var sum = ctx.MarkOutput(graph.Dequantize(inputs));
        var g = ctx.NewGraph().Expand(sum);
        _executor.Allocate(g);
        for (var q = 0; q < codes.Length; q++) inputs[q].SetData<int>(codes[q]);
        _executor.Compute(g);
        return sum.ToFloatArray();
    }

    // ggml's get_rows asserts on an out-of-range row: check codes on the host first.
    private long ValidateCodes(int[][] codes)
    {
        if (codes.Length == 0) throw new ArgumentException("no codebooks given");
        if (codes.Length > Config.NumQuantizers)
            throw new ArgumentException($"{codes.Length} codebooks given, this EnCodec has {Config.NumQuantizers}");
        var frames = codes[0].Length;
        if (frames == 0) throw new ArgumentException("no frames to decode");
        for (var q = 0; q < codes.Length; q++)
        {
            if (codes[q].Length != frames) throw new ArgumentException($"codebook {q} has {codes[q].Length} frames, codebook 0 has {frames}");
            GgmlContext.CheckIndices(codes[q], Config.CodebookSize, $"codebook {q}");
        }
        return frames;
    }
}
