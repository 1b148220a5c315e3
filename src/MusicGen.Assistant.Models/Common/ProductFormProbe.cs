using System.Collections.Concurrent;
using System.Diagnostics;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Models;

/// <summary>What <see cref="ProductFormProbe"/> measured: the median ms of each form and the one chosen.</summary>
public sealed record ProductFormTiming(ProductForm Chosen, double OneMatrixMs, double RowSlicesMs, int Rounds, string How)
{
    public double Ms(ProductForm form) => form == ProductForm.OneMatrix ? OneMatrixMs : RowSlicesMs;
    public override string ToString() =>
        $"{ProductForms.Name(Chosen)} ({How}: one matrix {OneMatrixMs:F2} ms, row slices {RowSlicesMs:F2} ms per pass, median of {Rounds})";
}

/// <summary>
/// Chooses a <see cref="ProductForm"/> by measuring: a graph with every given weight matrix multiplied by a batch
/// of single-position rows, built in each form, computed in alternation (so host noise hits both alike) for a few
/// rounds; the form with the lower median wins. Results are remembered per backend, thread count, matrix set and
/// rows, so each process measures a model once. CPU only: other backends take <see cref="ProductForm.OneMatrix"/>.
/// With one thread the graphs run on the caller and are timed by its CPU time (robust to a busy machine).
/// </summary>
public static class ProductFormProbe
{
    private static readonly ConcurrentDictionary<string, ProductFormTiming> Known = new();

    /// <summary>The measured (or remembered, or overridden) form for <paramref name="weights"/> at <paramref name="rows"/> rows.</summary>
    public static ProductFormTiming Choose(ComputeBackend backend, IReadOnlyList<Tensor> weights, int rows, ProductForm? fixedForm = null)
    {
        if ((fixedForm ?? ProductForms.FromEnvironment()) is { } f) return new ProductFormTiming(f, double.NaN, double.NaN, 0, "fixed");
        if (!backend.IsCpu || rows < 2) return new ProductFormTiming(ProductForm.OneMatrix, double.NaN, double.NaN, 0, rows < 2 ? "one row" : "not a CPU backend");
        var key = $"{backend.Name}/{backend.Threads}/{rows}/" + string.Join(',', weights.Select(w => $"{w.Type}:{w.Ne0}x{w.Ne1}"));
        return Known.GetOrAdd(key, _ => Measure(backend, weights, rows, minRounds: 3, maxRounds: 9, TimeSpan.FromSeconds(1.5)));
    }

    /// <summary>Times both forms in alternation: at least <paramref name="minRounds"/>, then until the budget or <paramref name="maxRounds"/>.</summary>
    public static ProductFormTiming Measure(ComputeBackend backend, IReadOnlyList<Tensor> weights, int rows, int minRounds, int maxRounds, TimeSpan budget)
    {
        using var matrix = new FormGraph(backend, weights, rows, ProductForm.OneMatrix);
        using var slices = new FormGraph(backend, weights, rows, ProductForm.RowSlices);
        matrix.Time(); // warm-up: first touch of both graphs' memory
        slices.Time();
        var (a, b) = (new List<double>(), new List<double>());
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < maxRounds && (r < minRounds || clock.Elapsed < budget); r++)
        {
            // alternate which goes first so a trend in the host's speed does not favour one
            if (r % 2 == 0) { a.Add(matrix.Time()); b.Add(slices.Time()); }
            else { b.Add(slices.Time()); a.Add(matrix.Time()); }
        }
        var (ma, mb) = (Median(a), Median(b));
        // slices must win clearly: one matrix is the form every backend shares
        var chosen = mb < 0.97 * ma ? ProductForm.RowSlices : ProductForm.OneMatrix;
        return new ProductFormTiming(chosen, ma, mb, a.Count, "measured");
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>One graph of the products alone in one form, on its own compute memory.</summary>
    private sealed class FormGraph : IDisposable
    {
        private readonly GgmlContext _ctx;
        private readonly GraphExecutor _executor;
        private readonly ComputeGraph _graph;

        public FormGraph(ComputeBackend backend, IReadOnlyList<Tensor> weights, int rows, ProductForm form)
        {
            _ctx = new GgmlContext(4 * weights.Count + 16);
            try
            {
                var inputs = new Dictionary<long, Tensor>();
                _graph = _ctx.NewGraph();
                foreach (var w in weights)
                {
                    if (!inputs.TryGetValue(w.Ne0, out var x)) inputs[w.Ne0] = x = _ctx.NewInput($"x{w.Ne0}", GgmlType.F32, w.Ne0, 1, rows);
                    _graph.Expand(ProductForms.MulMat(_ctx, w, x, form));
                }
                _executor = new GraphExecutor(backend, 4 * weights.Count + 64);
                _executor.Allocate(_graph);
                foreach (var x in inputs.Values)
                    x.SetData<float>(Enumerable.Range(0, (int)x.ElementCount).Select(i => MathF.Sin(i) * 0.5f).ToArray());
            }
            catch
            {
                _ctx.Dispose();
                throw;
            }
        }

        // one thread computes on the caller: its CPU time leaves out what other processes took meanwhile
        public double Time()
        {
            if (_executor.Backend.Threads == 1)
            {
                var cpu = ThreadCpuTime.Milliseconds();
                _executor.Compute(_graph);
                return ThreadCpuTime.Milliseconds() - cpu;
            }
            var sw = Stopwatch.StartNew();
            _executor.Compute(_graph);
            return sw.Elapsed.TotalMilliseconds;
        }

        public void Dispose()
        {
            _executor?.Dispose();
            _ctx.Dispose();
        }
    }
}
