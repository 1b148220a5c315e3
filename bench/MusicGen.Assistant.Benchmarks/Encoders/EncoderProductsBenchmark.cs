using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// <c>encoder-products</c>: one encoder weight product (a whole sequence of activations times a weight matrix, the
/// compute-bound GEMM that dominates an encoder besides attention) for each weight type, timed in alternation. ggml
/// converts the F32 activations to the type's dot-product partner first (F16 for F16, BF16 for BF16, Q8_0 for Q8_0),
/// which is included. <c>int8</c> is the same Q8_0 weight packed for our integer product kernel (<see cref="Int8Products"/>,
/// what the encoders load), <c>q8_0</c> ggml's own product; q4_0 and q4_K are in the CPU's repacked layout where
/// ggml has one. With one thread the product runs on this thread and is timed by its CPU time.
/// </summary>
public sealed class EncoderProductsBenchmark : IBenchmark
{
    public string Name => "encoder-products";
    public string Usage => "encoder-products [--types f32,f16,bf16,q8_0,int8,q4_0,q4_K] [--in 1024] [--out 4096] [--columns 2249] [--threads 1] [--repeat 7]\n" +
                           "        (columns: MERT 30 s = 2249 frames, ViT 197 tokens, ViViT 3137)";

    public int Run(BenchArguments args)
    {
        var types = args.Text("types", "f32,bf16,q8_0,int8").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var width = args.Int("in", 1024, 32, 16384);
        var outputs = args.Int("out", 4096, 1, 65536);
        var columns = args.Int("columns", 2249, 1, 100000);
        var threads = args.Int("threads", 1, 1, 256);
        var repeat = args.Int("repeat", 7, 1, 1000);
        args.RejectUnknown(Name);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        BenchEnvironment.Print(backend);
        var products = types.Select(t => new Product(backend, Parse(t), t == "int8", width, outputs, columns)).ToList();
        try
        {
            var samples = products.Select(_ => new Samples()).ToList();
            for (var r = 0; r < repeat; r++)
                for (var i = 0; i < products.Count; i++)
                {
                    var j = (i + r) % products.Count; // rotate the order each round
                    samples[j].Add(products[j].Time());
                }
            var flops = 2.0 * width * outputs * columns;
            Console.WriteLine($"{width} x {outputs} weights times {columns} columns ({Report.F(flops / 1e9, 2)} GFLOP), median of {repeat} alternating rounds, " +
                              $"{(threads == 1 ? "thread CPU time" : "wall time")}, load average {BenchEnvironment.LoadAverage()}:");
            Report.Table(["type", "ms", "GFLOP/s", "vs f32"], types.Select((t, i) => (IReadOnlyList<string>)[t, Report.F(samples[i].Median, 1),
                Report.F(flops / samples[i].Median / 1e6, 1), Report.F(samples[0].Median / samples[i].Median, 2) + "x"]));
        }
        finally
        {
            foreach (var p in products) p.Dispose();
        }
        return 0;
    }

    private static GgmlType Parse(string name) => name switch
    {
        "f32" => GgmlType.F32, "f16" => GgmlType.F16, "bf16" => GgmlType.BF16, "q8_0" or "int8" => GgmlType.Q8_0, "q4_0" => GgmlType.Q4_0, "q4_K" => GgmlType.Q4_K,
        _ => throw new BenchUsageException($"--types takes f32, f16, bf16, q8_0, int8, q4_0, q4_K, not '{name}'"),
    };

    private sealed class Product : IDisposable
    {
        private readonly TensorStore _store;
        private readonly GgmlContext _ctx;
        private readonly GraphExecutor _executor;
        private readonly ComputeGraph _graph;
        private readonly bool _cpuClock;

        public Product(ComputeBackend backend, GgmlType type, bool int8, int width, int outputs, int columns)
        {
            _store = new TensorStore(backend, 4, int8Products: int8);
            var w = _store.NewMatrix(type, [width, outputs]);
            _store.Allocate();
            if (int8 && !w.IsInt8Packed) throw new BenchUsageException("int8: this CPU has no AVX-VNNI (or MGA_INT8=0), the weight was not packed");
            var rng = new Random(9);
            w.SetData<byte>(Quantizer.Quantize(Enumerable.Range(0, width * outputs).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray(), width, type));
            _ctx = new GgmlContext(8);
            var x = _ctx.NewInput("x", GgmlType.F32, width, columns);
            _graph = _ctx.NewGraph().Expand(_ctx.MarkOutput(_ctx.MulMat(w, x)));
            _executor = new GraphExecutor(backend, 16);
            _executor.Allocate(_graph);
            x.SetData<float>(Enumerable.Range(0, width * columns).Select(i => MathF.Sin(i * 0.37f)).ToArray());
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
            _store.Dispose();
        }
    }
}
