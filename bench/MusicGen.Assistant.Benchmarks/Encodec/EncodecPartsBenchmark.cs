using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encodec;

/// <summary>
/// <c>encodec-parts</c>: each top-level decoder layer as its own graph at one chunk's shape, timed alone (what share of
/// a chunk each layer costs), plus the LSTM's floor: a chain of recurrent matrix-vector products with nothing else.
/// </summary>
public sealed class EncodecPartsBenchmark : IBenchmark
{
    public string Name => "encodec-parts";
    public string Usage => "encodec-parts [--type f32|f16|q8_0] [--threads 2] [--repeat 5] [--chunk 250] [--seed 1] [--reference] [--cache DIR]\n" +
                           "        (--reference: the GGUF-layout graph with im2col/col2im and plain ggml ops, as before the optimization)";

    public int Run(BenchArguments args)
    {
        var type = StorageTypes.Parse(args.Text("type", "f32"));
        var threads = args.Int("threads", 2, 1, 256);
        var repeat = args.Int("repeat", 5, 1, 1000);
        var chunk = args.Int("chunk", 250, EncodecChunking.Lookaround + 1, 100_000);
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var reference = args.Flag("reference");
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var path = EncodecBenchModel.Ensure(cache, type, seed);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        using var file = GgufFile.Open(path);
        var config = EncodecMetadata.Read(file.Metadata);
        using var weights = new EncodecWeights(file, config, backend, reference ? ConvLayout.Im2Col : backend.IsCpu ? ConvLayout.Direct : ConvLayout.TapStacked);
        var kernels = backend.IsCpu && !reference;
        // a middle chunk: its own frames plus the LSTM look-around and the conv context on both sides
        var frames = chunk + 2L * (EncodecChunking.Lookaround + EncodecChunking.ConvContext);
        var secondsPerChunk = chunk * config.HopLength / (double)config.SamplingRate;

        Console.WriteLine($"encodec-parts: decoder layers alone at a middle chunk's shape ({frames} frames in, {chunk} own = " +
                          $"{Report.F(secondsPerChunk, 2)} s of audio), weights {StorageTypes.Name(type)}, {(reference ? "reference graph" : "optimized graph")}, median of {repeat}");
        BenchEnvironment.Print(backend);

        // an ELU right before a conv runs fused with it, so the two are timed together
        var layers = Steps(EncodecLayers.Decoder(config));
        var rows = new List<(string Layer, string Input, double Ms, double Min)>();
        var shapes = LayerInputs(weights, kernels, layers, frames);
        double sum = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            var (ms, min) = TimeLayer(backend, weights, kernels, layers[i], shapes[i], repeat);
            sum += ms;
            var (ne0, ne1, cf) = shapes[i];
            rows.Add((Describe(layers[i]), $"{(cf ? ne0 : ne1)}ch x {(cf ? ne1 : ne0)}{(cf ? " cf" : " tf")}", ms, min));
        }
        Report.Table(["layer", "input", "median ms", "min ms", "share"],
            rows.Select(r => (IReadOnlyList<string>)[r.Layer, r.Input, Report.F(r.Ms, 2), Report.F(r.Min, 2), Report.F(100 * r.Ms / sum, 1) + "%"]));
        Report.Line("sum of layers", $"{Report.F(sum, 1)} ms per chunk -> {Report.F(secondsPerChunk * 1000 / sum, 2)}x real time (layers alone)");

        var lstm = layers.SelectMany(step => step).OfType<LstmSpec>().FirstOrDefault();
        if (lstm is not null) TimeRecurrentFloor(backend, weights, lstm, repeat);
        return 0;
    }

    private static List<EncodecLayer[]> Steps(IReadOnlyList<EncodecLayer> layers)
    {
        var steps = new List<EncodecLayer[]>();
        for (var i = 0; i < layers.Count; i++)
            steps.Add(layers[i] is EluSpec && i + 1 < layers.Count && layers[i + 1] is ConvSpec or ConvTransposeSpec
                ? [layers[i], layers[++i]]
                : [layers[i]]);
        return steps;
    }

    private static string Describe(EncodecLayer[] step) => (step.Length > 1 ? "elu+" : "") + Describe(step[^1]);

    private static string Describe(EncodecLayer l) => l switch
    {
        ConvSpec c => $"{l.Index} conv {c.InChannels}->{c.OutChannels} k{c.Kernel}",
        ConvTransposeSpec t => $"{l.Index} convT {t.InChannels}->{t.OutChannels} k{t.Kernel}/s{t.Stride}",
        ResidualBlockSpec r => $"{l.Index} resblock {r.First.InChannels} d{r.First.Dilation}",
        LstmSpec s => $"{l.Index} lstm {s.Width} x{s.Layers}",
        EluSpec => $"{l.Index} elu",
        _ => l.ToString(),
    };

    // The input shape of every layer, found by building the whole chain once (building is cheap; nothing runs).
    private static List<(long Ne0, long Ne1, bool ChannelsFirst)> LayerInputs(EncodecWeights weights, bool kernels, List<EncodecLayer[]> layers, long frames)
    {
        using var ctx = new GgmlContext(200_000);
        var graph = new EncodecGraph(ctx, weights, kernels);
        var x = Signal.FromChannelsFirst(ctx.NewTensor(GgmlType.F32, weights.Config.HiddenSize, frames));
        var shapes = new List<(long, long, bool)>();
        foreach (var layer in layers)
        {
            shapes.Add((x.Data.Ne0, x.Data.Ne1, x.ChannelsFirst));
            x = graph.Run(layer, x, (spec, s) => graph.Lstm(spec, s, ZeroState(ctx, spec, []), -1).Output);
        }
        return shapes;
    }

    private static LstmState ZeroState(GgmlContext ctx, LstmSpec spec, List<Tensor> inputs)
    {
        var state = new LstmState(
            Enumerable.Range(0, spec.Layers).Select(l => ctx.NewInput($"h{l}", GgmlType.F32, spec.Width)).ToArray(),
            Enumerable.Range(0, spec.Layers).Select(l => ctx.NewInput($"c{l}", GgmlType.F32, spec.Width)).ToArray());
        inputs.AddRange(state.Hidden.Concat(state.Cell));
        return state;
    }

    private static (double Median, double Min) TimeLayer(ComputeBackend backend, EncodecWeights weights, bool kernels, EncodecLayer[] layer, (long Ne0, long Ne1, bool Cf) shape, int repeat)
    {
        using var ctx = new GgmlContext(200_000);
        var graph = new EncodecGraph(ctx, weights, kernels);
        var input = ctx.NewInput("x", GgmlType.F32, shape.Ne0, shape.Ne1);
        var inputs = new List<Tensor> { input };
        var y = graph.Run(layer, new Signal(input, shape.Cf), (spec, s) => graph.Lstm(spec, s, ZeroState(ctx, spec, inputs), -1).Output);
        var g = ctx.NewGraph().Expand(ctx.MarkOutput(y.Data));
        using var executor = new GraphExecutor(backend, 200_000);
        executor.Allocate(g);
        var rng = new Random(7);
        foreach (var t in inputs.Where(t => t.IsAllocated))
            t.SetData<float>(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
        return Time(repeat, () => executor.Compute(g));
    }

    // The recurrence alone: y = W_hh · h, h = y[0..width), step after step; the weight streams from cache every step.
    private static void TimeRecurrentFloor(ComputeBackend backend, EncodecWeights weights, LstmSpec spec, int repeat)
    {
        const int steps = 256;
        var w = weights.Lstm(spec)[0].HiddenWeights;
        using var ctx = new GgmlContext(4 * steps + 16);
        var h = ctx.NewInput("h", GgmlType.F32, spec.Width);
        var x = h;
        for (var s = 0; s < steps; s++) x = ctx.View(ctx.MulMat(w, x), [spec.Width], [], 0);
        var g = ctx.NewGraph().Expand(ctx.MarkOutput(ctx.Cont(x)));
        using var executor = new GraphExecutor(backend, 4 * steps + 16);
        executor.Allocate(g);
        h.SetData<float>(Enumerable.Repeat(0.01f, spec.Width).ToArray());
        var ms = Time(repeat, () => executor.Compute(g)).Median / steps;
        var bytes = w.ByteCount;
        Console.WriteLine($"recurrent matvec floor: W_hh {w.ShapeText} ({Report.MiB(bytes)}): {Report.F(ms * 1000, 1)} us per step " +
                          $"= {Report.F(bytes / (ms / 1000) / 1e9, 1)} GB/s; {spec.Layers} layers x {weights.Config.FrameRate} steps per audio second " +
                          $"= {Report.F(ms * spec.Layers * weights.Config.FrameRate, 1)} ms per audio second");
        var threads = backend.Threads;
        Console.WriteLine($"read bandwidth over {Report.MiB(bytes)} with {threads} thread(s) (plain loads, no compute): " +
                          $"{Report.F(ReadBandwidth.GigabytesPerSecond(bytes, threads, 100), 1)} GB/s");
    }

    private static (double Median, double Min) Time(int repeat, Action run)
    {
        run();
        var samples = new Samples();
        for (var r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            run();
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (samples.Median, samples.Min);
    }
}
