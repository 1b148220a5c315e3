using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// One attention core (q·kᵀ, softmax, ·v, heads merged) at an encoder's shape, built two ways and timed alone:
/// as <see cref="MultiHeadAttention.Attend"/> builds it (the per-head queries are a permuted view, so ggml's
/// q·kᵀ product reads a strided second operand) and with the per-head queries copied contiguous first (one copy of
/// n × width floats). Shows whether the layout of q, not the arithmetic, sets the product's speed.
/// </summary>
public sealed class EncoderAttentionBenchmark : IBenchmark
{
    public string Name => "encoder-attention";
    public string Usage => "encoder-attention [--shape vivit|mert|vit] [--threads 2] [--repeat 3]\n" +
                           "        (one attention core at the encoder's shape, as MultiHeadAttention.Attend builds it and with contiguous\n" +
                           "         per-head queries: vivit 3137 tokens x 768 / 12 heads, mert 2250 keys x 1024-query block x 1024 / 16\n" +
                           "         heads (30 s at 75 frames/s), vit 197 x 768 / 12)";

    public int Run(BenchArguments args)
    {
        var shape = args.Text("shape", "vivit");
        var threads = args.Int("threads", 2, 1, 256);
        var repeat = args.Int("repeat", 3, 1, 1000);
        args.RejectUnknown(Name);
        var (keys, queries, width, heads) = shape switch
        {
            "vivit" => (3137, 3137, 768, 12),
            "mert" => (2250, 1024, 1024, 16),
            "vit" => (197, 197, 768, 12),
            _ => throw new BenchUsageException($"--shape takes vivit, mert or vit, not '{shape}'"),
        };
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        BenchEnvironment.Print(backend);
        Print(backend, keys, queries, width, heads, repeat);
        return 0;
    }

    public static void Print(ComputeBackend backend, int keys, int queries, int width, int heads, int repeat)
    {
        Console.WriteLine($"attention core alone ({keys} keys x {queries} queries, width {width}, {heads} heads, median of {repeat}):");
        var asBuilt = Time(backend, keys, queries, width, heads, repeat, contiguousQueries: false);
        var contiguous = Time(backend, keys, queries, width, heads, repeat, contiguousQueries: true);
        var flops = 4.0 * keys * queries * width;
        Report.Line("MultiHeadAttention.Attend", $"{Report.F(asBuilt.Ms, 1)} ms ({Report.F(flops / asBuilt.Ms / 1e6, 1)} GFLOP/s, foreign CPU {Report.F(100 * asBuilt.Foreign, 0)}%)");
        Report.Line("queries made contiguous", $"{Report.F(contiguous.Ms, 1)} ms ({Report.F(flops / contiguous.Ms / 1e6, 1)} GFLOP/s, foreign CPU {Report.F(100 * contiguous.Foreign, 0)}%)");
    }

    private static (double Ms, double Foreign) Time(ComputeBackend backend, int keys, int queries, int width, int heads, int repeat, bool contiguousQueries)
    {
        using var ctx = new GgmlContext(64);
        var q = ctx.NewInput("q", GgmlType.F32, width, queries, 1);
        var k = ctx.NewInput("k", GgmlType.F32, width, keys, 1);
        var v = ctx.NewInput("v", GgmlType.F32, width, keys, 1);
        var scale = 1 / MathF.Sqrt(width / (float)heads);
        var perHeadKeys = MultiHeadAttention.Keys(ctx, k, heads);
        var values = MultiHeadAttention.ValuesTransposed(ctx, v, heads);
        Tensor result;
        if (!contiguousQueries) result = MultiHeadAttention.Attend(ctx, q, perHeadKeys, values, null, heads, scale);
        else
        {
            var perHeadQueries = ctx.Cont(MultiHeadAttention.Keys(ctx, q, heads));              // {hd, n, H}
            var weights = ctx.SoftMax(ctx.MulMat(perHeadKeys, perHeadQueries), null, scale);
            var mixed = ctx.MulMat(values, weights);                                          // {hd, n, H}
            result = ctx.Reshape(ctx.Cont(ctx.Permute(mixed, 0, 2, 1, 3)), width, queries, 1);
        }
        var graph = ctx.NewGraph().Expand(ctx.MarkOutput(result));
        using var executor = new GraphExecutor(backend, 64);
        executor.Allocate(graph);
        var rng = new Random(5);
        foreach (var t in new[] { q, k, v })
            t.SetData<float>(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
        executor.Compute(graph);
        var samples = new Samples();
        var load = CpuLoad.Start();
        for (var r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            executor.Compute(graph);
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (samples.Median, load.ForeignShare());
    }
}
