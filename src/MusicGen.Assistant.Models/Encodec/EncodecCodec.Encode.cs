using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>Codes of a signal: one array of frame codes per codebook, plus the encoder's continuous output if asked.</summary>
public sealed record EncodedAudio(int[][] Codes, long SampleCount, float[]? Embeddings);

public sealed partial class EncodecCodec
{
    /// <summary>
    /// EncodecModel.encode: SEANet encoder, then the residual VQ with the codebooks a bandwidth allows (default: the
    /// first target bandwidth, as transformers does). The source must be at the model's rate and channel count.
    /// </summary>
    /// <param name="keepEmbeddings">Also return the encoder output {dim per frame, frame-major} (for checks).</param>
    public EncodedAudio Encode(ISampleSource source, double? bandwidthKbps = null, IProgress<ChunkProgress>? progress = null,
        bool keepEmbeddings = false)
    {
        if (source.Channels != Config.AudioChannels)
            throw new ArgumentException($"this EnCodec takes {Config.AudioChannels} channel(s), the signal has {source.Channels}");
        if (source.Length < 1) throw new ArgumentException("the signal is empty");
        var stages = Config.QuantizersForBandwidth(bandwidthKbps);
        var total = FramesFor(source.Length);
        var codes = Enumerable.Range(0, stages).Select(_ => new int[total]).ToArray();
        var embeddings = keepEmbeddings ? new float[total * Config.HiddenSize] : null;
        var carried = new CarriedState();
        foreach (var w in EncodecChunking.Windows(total, ChunkFrames))
        {
            var build = Timings.Measure("build");
            using var ctx = NewGraphContext();
            var graph = new EncodecGraph(ctx, _weights, CpuKernels);
            var first = w.InputStart * Config.HopLength;
            var count = Math.Min(source.Length, w.InputEnd * Config.HopLength) - first;
            var audio = ctx.NewInput("audio", GgmlType.F32, count, Config.AudioChannels);       // time first
            var x = RunAroundLstm(graph, ctx, _encoderBefore, _encoderLstm, _encoderAfter, Signal.FromTimeFirst(audio), w, carried);
            var cf = x.AsChannelsFirst(ctx);                                                      // {dim, frames}
            var own = ctx.Cont(ctx.SliceRows(cf, w.Start - w.LstmStart, w.End - w.Start));
            ctx.MarkOutput(own);
            var stageCodes = graph.Quantize(own, stages);
            foreach (var c in stageCodes) ctx.MarkOutput(c);

            var g = ctx.NewGraph();
            foreach (var c in stageCodes) g.Expand(c);
            foreach (var r in carried.Roots) g.Expand(r);
            build.Dispose();

            using (Timings.Measure("allocate")) _executor.Allocate(g);
            using (Timings.Measure("upload"))
            {
                var buffer = new float[count];
                for (var ch = 0; ch < Config.AudioChannels; ch++)
                {
                    source.Read(ch, first, buffer);
                    audio.SetData<float>(buffer, ch * count * sizeof(float));
                }
                carried.Upload();
            }
            using (Timings.Measure("compute")) _executor.Compute(g);
            using (Timings.Measure("download"))
            {
                carried.Download();
                for (var q = 0; q < stages; q++) stageCodes[q].GetData<int>(codes[q].AsSpan((int)w.Start, (int)(w.End - w.Start)));
                if (embeddings is not null) own.GetData<float>(embeddings.AsSpan((int)(w.Start * Config.HiddenSize), (int)((w.End - w.Start) * Config.HiddenSize)));
            }
            progress?.Report(new ChunkProgress(w.End, total, "encode"));
        }
        return new EncodedAudio(codes, source.Length, embeddings);
    }
}
