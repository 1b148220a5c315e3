using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// One attention core (q·kᵀ, softmax, ·v, heads merged) at an encoder's shape, built three ways and timed in
/// alternation: the plain ops as <see cref="MultiHeadAttention.Attend"/> builds them (the per-head queries a
/// permuted view), the same with the per-head queries copied contiguous first, and the fused node
/// <see cref="MultiHeadAttention.AttendFused"/> (ggml_flash_attn_ext) the encoders take on the CPU. With one
/// thread the graphs run on this thread and are timed by its CPU time (valid on a busy machine); else wall time.
/// </summary>
public sealed class EncoderAttentionBenchmark : IBenchmark
{
    public string Name => "encoder-attention";
    public string Usage => "encoder-attention [--shape vivit|mert|vit] [--threads 2] [--repeat 3]\n" +
                           "        (one attention core at the encoder's shape, plain ops, contiguous queries and fused:\n" +
                           "         vivit 3137 tokens x 768 / 12 heads, mert 2250 keys x 1024-query block x 1024 / 16\n" +
                           "         heads (30 s at 75 frames/s), vit 197 x 768 / 12)";

    private enum Form { Plain, ContiguousQueries, Fused }

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
        var clock = backend.Threads == 1 ? "thread CPU time" : "wall time";
        Console.WriteLine($"attention core alone ({keys} keys x {queries} queries, width {width}, {heads} heads, median of {repeat} alternating rounds, {clock}):");
        var forms = new[] { Form.Plain, Form.ContiguousQueries, Form.Fused };
        var graphs = forms.Select(f => new CoreGraph(backend, keys, queries, width, heads, f)).ToList();
        try
        {
            var samples = forms.Select(_ => new Samples()).ToList();
            var load = CpuLoad.Start();
            for (var r = 0; r < repeat; r++)
                for (var i = 0; i < graphs.Count; i++)
                    samples[i].Add(graphs[(i + r) % graphs.Count].Time() is var ms ? ms : 0); // rotate the order each round
            var foreign = load.ForeignShare();
            // samples[i] collected graph (i + r) % n: regroup by graph
            var byGraph = forms.Select(_ => new Samples()).ToList();
            for (var i = 0; i < graphs.Count; i++)
                for (var r = 0; r < repeat; r++) byGraph[(i + r) % graphs.Count].Add(samples[i].Values[r]);
            var flops = 4.0 * keys * queries * width;
            var labels = new[] { "plain ops (Attend)", "queries made contiguous", "fused (flash_attn_ext)" };
            for (var i = 0; i < forms.Length; i++)
                Report.Line(labels[i], $"{Report.F(byGraph[i].Median, 1)} ms ({Report.F(flops / byGraph[i].Median / 1e6, 1)} GFLOP/s; " +
                                       $"{Report.F(byGraph[0].Median / byGraph[i].Median, 2)}x the plain ops)");
            Report.Line("conditions", $"foreign CPU {Report.F(100 * foreign, 0)}%, load average {BenchEnvironment.LoadAverage()}, {BenchEnvironment.CpuModel()}");
        }
        finally
        {
            foreach (var g in graphs) g.Dispose();
        }
    }

    private sealed class CoreGraph : IDisposable
    {
        private readonly GgmlContext _ctx;
        private readonly GraphExecutor _executor;
        private readonly ComputeGraph _graph;
        private readonly bool _cpuClock;

        public CoreGraph(ComputeBackend backend, int keys, int queries, int width, int heads, Form form)
        {
            _ctx = new GgmlContext(64);
            var q = _ctx.NewInput("q", GgmlType.F32, width, queries, 1);
            var k = _ctx.NewInput("k", GgmlType.F32, width, keys, 1);
            var v = _ctx.NewInput("v", GgmlType.F32, width, keys, 1);
            var scale = 1 / MathF.Sqrt(width / (float)heads);
            Tensor result;
            if (form == Form.Fused) result = MultiHeadAttention.AttendFused(_ctx, q, k, v, heads, scale);
            else
            {
                var perHeadKeys = MultiHeadAttention.Keys(_ctx, k, heads);
                var values = MultiHeadAttention.ValuesTransposed(_ctx, v, heads);
                if (form == Form.Plain) result = MultiHeadAttention.Attend(_ctx, q, perHeadKeys, values, null, heads, scale);
                else
                {
                    var perHeadQueries = _ctx.Cont(MultiHeadAttention.Keys(_ctx, q, heads));              // {hd, n, H}
                    var weights = _ctx.SoftMax(_ctx.MulMat(perHeadKeys, perHeadQueries), null, scale);
                    var mixed = _ctx.MulMat(values, weights);                                          // {hd, n, H}
                    result = _ctx.Reshape(_ctx.Cont(_ctx.Permute(mixed, 0, 2, 1, 3)), width, queries, 1);
                }
            }
            _graph = _ctx.NewGraph().Expand(_ctx.MarkOutput(result));
            _executor = new GraphExecutor(backend, 64);
            _executor.Allocate(_graph);
            var rng = new Random(5);
            foreach (var t in new[] { q, k, v })
                t.SetData<float>(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
            _cpuClock = backend.Threads == 1;
            _executor.Compute(_graph); // warm-up
        }

        public double Time()
        {
            var (cpu, sw) = (ThreadCpuTime.Milliseconds(), Stopwatch.StartNew());
            _executor.Compute(_graph);
            return _cpuClock ? ThreadCpuTime.Milliseconds() - cpu : sw.Elapsed.TotalMilliseconds;
        }

        public void Dispose()
        {
            _executor.Dispose();
            _ctx.Dispose();
        }
    }
}
