using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>
/// <c>product-forms</c>: the two product forms of a guided decode step (<see cref="ProductForm"/>) per weight type,
/// on random matrices of the musicgen-small step's shapes (per layer six hidden² and the two FFN matrices, then
/// the four LM heads; the same bytes the <c>musicgen --ceiling</c> probe streams, without writing a model). Both
/// forms are timed in alternation by <see cref="ProductFormProbe"/>, the decoder's own chooser.
/// </summary>
public sealed class ProductFormsBenchmark : IBenchmark
{
    public string Name => "product-forms";
    public string Usage => "product-forms [--types f32,f16,q8_0] [--threads 2] [--rows 2] [--rounds 15] [--layers 24] [--hidden 1024]";

    public int Run(BenchArguments args)
    {
        var types = args.Text("types", "f32,f16,q8_0").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var threads = args.Int("threads", 2, 1, 256);
        var rows = args.Int("rows", 2, 2, 64);
        var rounds = args.Int("rounds", 15, 1, 1000);
        var layers = args.Int("layers", 24, 1, 64);
        var hidden = args.Int("hidden", 1024, 64, 8192);
        args.RejectUnknown(Name);
        var config = MusicGenBenchModel.DecoderConfig;
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        backend.KeepWorkerThreads();
        Console.WriteLine($"product-forms: {layers} layers x (6 x {hidden}^2 + 2 x {hidden}x{4 * hidden}) + {config.NumCodebooks} heads {hidden}x{config.VocabSize}, " +
                          $"{rows} rows, median of {rounds} alternating rounds");
        BenchEnvironment.Print(backend);
        var table = new List<IReadOnlyList<string>>();
        foreach (var name in types)
        {
            var type = name switch
            {
                "f32" => GgmlType.F32, "f16" => GgmlType.F16, "q8_0" => GgmlType.Q8_0, "q4_0" => GgmlType.Q4_0,
                _ => throw new BenchUsageException($"--types takes f32, f16, q8_0, q4_0, not '{name}'"),
            };
            using var store = RandomStep(backend, type, layers, hidden, config.NumCodebooks, config.VocabSize);
            var matrices = store.Context.Tensors.ToList();
            var load = CpuLoad.Start();
            var t = ProductFormProbe.Measure(backend, matrices, rows, rounds, rounds, TimeSpan.Zero);
            var foreign = load.ForeignShare();
            var bytes = matrices.Sum(m => m.ByteCount);
            table.Add([name, Report.MiB(bytes), Report.F(t.OneMatrixMs, 1), Report.F(1000 / t.OneMatrixMs, 1), Report.F(bytes / t.OneMatrixMs / 1e6, 1),
                Report.F(t.RowSlicesMs, 1), Report.F(1000 / t.RowSlicesMs, 1), Report.F(bytes / t.RowSlicesMs / 1e6, 1),
                ProductForms.Name(t.Chosen), $"{Report.F(100 * foreign, 0)}%", BenchEnvironment.LoadAverage()]);
        }
        Report.Table(["type", "bytes", "matrix ms", "steps/s", "GB/s", "slices ms", "steps/s", "GB/s", "chosen", "foreign CPU", "loadavg"], table);
        return 0;
    }

    private static TensorStore RandomStep(ComputeBackend backend, GgmlType type, int layers, int hidden, int heads, int vocab)
    {
        var store = new TensorStore(backend, 8 * layers + heads + 8);
        var shapes = new List<(int In, int Out)>();
        for (var l = 0; l < layers; l++)
        {
            for (var i = 0; i < 6; i++) shapes.Add((hidden, hidden));
            shapes.Add((hidden, 4 * hidden));
            shapes.Add((4 * hidden, hidden));
        }
        for (var k = 0; k < heads; k++) shapes.Add((hidden, vocab));
        var tensors = shapes.Select(s => store.Context.NewTensor(type, s.In, s.Out)).ToList();
        store.Allocate();
        var rng = new Random(5);
        foreach (var t in tensors)
        {
            var data = new float[t.ElementCount];
            for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() - 0.5) * 0.05f;
            t.SetData<byte>(Quantizer.Quantize(data, t.Ne0, type));
        }
        return store;
    }
}
