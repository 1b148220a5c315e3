using System.Diagnostics;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Threads;

/// <summary>A decode-step shaped graph on its own CPU backend with a fixed thread count, kept workers and random f32 weights.</summary>
internal sealed class StepGraph : IDisposable
{
    private readonly ComputeBackend _backend;
    private readonly TensorStore _weights;
    private readonly GgmlContext _ctx;
    private readonly GraphExecutor _executor;
    private readonly ComputeGraph _graph;

    /// <param name="threads">A fixed count, or null for a defaulted backend that follows the load.</param>
    public StepGraph(int? threads, int width, int layers)
    {
        _backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        _backend.KeepWorkerThreads();
        _weights = new TensorStore(_backend, 6 * layers + 8);
        var w = new List<Tensor>();
        for (var l = 0; l < layers; l++)
        {
            for (var i = 0; i < 4; i++) w.Add(_weights.Context.NewTensor(GgmlType.F32, width, width));
            w.Add(_weights.Context.NewTensor(GgmlType.F32, width, 4 * width));
            w.Add(_weights.Context.NewTensor(GgmlType.F32, 4 * width, width));
        }
        _weights.Allocate();
        var rng = new Random(3);
        foreach (var t in w)
        {
            var data = new float[t.ElementCount];
            for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() - 0.5) / width;
            t.SetData<float>(data);
        }
        _ctx = new GgmlContext(16 * layers + 8);
        var x = _ctx.NewInput("x", GgmlType.F32, width, 2);
        var h = x;
        for (var l = 0; l < layers; l++)
        {
            for (var i = 0; i < 4; i++) h = _ctx.MulMat(w[6 * l + i], h);
            h = _ctx.MulMat(w[6 * l + 5], _ctx.MulMat(w[6 * l + 4], h));
        }
        _ctx.MarkOutput(h);
        _graph = _ctx.NewGraph().Expand(h);
        _executor = new GraphExecutor(_backend);
        _executor.Allocate(_graph);
        x.SetData<float>(Enumerable.Range(0, 2 * width).Select(i => (float)Math.Sin(i)).ToArray());
    }

    public int ActiveThreads => _backend.ActiveThreads;

    /// <summary>Computes the graph <paramref name="times"/> times; returns the wall milliseconds.</summary>
    public double Compute(int times)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < times; i++) _executor.Compute(_graph);
        return sw.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        _executor.Dispose();
        _ctx.Dispose();
        _weights.Dispose();
        _backend.Dispose();
    }
}
