using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// Prints an <see cref="OpProfiler"/>'s view of one encoder graph (each node run alone and timed): totals per op, the
/// most expensive (op, shape) kinds, and how much of it is the attention core. Attention nodes are told apart by shape:
/// the products and copies that carry a heads dimension ({n_kv, n, heads}: q·kᵀ; {head_dim, n, heads}: weights·v; the
/// per-head copies of v and of the merged result) and every softmax. Per-node launches inflate small nodes.
/// </summary>
public static class EncoderOpProfile
{
    /// <summary>Computes an allocated graph once as a whole (timed, with its compute buffer), then once node by node.</summary>
    public static void Run(GraphExecutor executor, ComputeGraph graph, int heads, string what)
    {
        var load = CpuLoad.Start();
        var sw = Stopwatch.StartNew();
        executor.Compute(graph);
        Console.WriteLine($"{what}: {graph.NodeCount} nodes, compute buffer {Report.MiB(executor.ComputeBufferBytes)}, " +
                          $"{Report.F(sw.Elapsed.TotalMilliseconds, 0)} ms as a whole (first run after allocation)");
        var profiler = new OpProfiler();
        executor.Profiler = profiler;
        try { executor.Compute(graph); }
        finally { executor.Profiler = null; }
        Print(profiler, heads, what);
        Report.Line("other processes' CPU share", $"{Report.F(100 * load.ForeignShare(), 0)}% over both runs of this graph");
    }

    public static void Print(OpProfiler profiler, int heads, string what, int top = 15)
    {
        var total = profiler.Entries.Sum(e => e.Milliseconds);
        var attention = profiler.Entries.Where(e => IsAttention(e, heads)).ToList();
        double Share(Func<OpTiming, bool> which) => 100 * attention.Where(which).Sum(e => e.Milliseconds) / total;
        var attentionMs = attention.Sum(e => e.Milliseconds);
        Console.WriteLine($"op profile of {what}: {profiler.Nodes} nodes timed one by one, {Report.F(total, 0)} ms in all " +
                          $"({Report.F(profiler.LaunchOverheadMs, 0)} ms of it in no-op view nodes)");
        Report.Line("attention core", $"{Report.F(attentionMs, 0)} ms = {Report.F(100 * attentionMs / total, 1)}% " +
                                      $"(q·kᵀ and weights·v products {Report.F(Share(e => e.Op == "MUL_MAT"), 1)}%, softmax {Report.F(Share(e => e.Op == "SOFT_MAX"), 1)}%, " +
                                      $"per-head copies {Report.F(Share(e => e.Op is "CONT" or "CPY"), 1)}%)");
        Report.Table(["op", "count", "ms", "share"],
            profiler.ByOp.Select(e => (IReadOnlyList<string>)[e.Op, e.Count.ToString(), Report.F(e.Milliseconds, 1), Report.F(100 * e.Milliseconds / total, 1) + "%"]));
        Console.WriteLine($"top {top} (op, result shape, first operand type):");
        Report.Table(["op", "shape", "src0", "count", "ms", "ms each", "share"],
            profiler.Entries.Take(top).Select(e => (IReadOnlyList<string>)[e.Op, e.Shape, e.SourceType, e.Count.ToString(),
                Report.F(e.Milliseconds, 1), Report.F(e.Milliseconds / e.Count, 2), Report.F(100 * e.Milliseconds / total, 1) + "%"]));
    }

    private static bool IsAttention(OpTiming e, int heads)
    {
        if (e.Op == "SOFT_MAX") return true;
        if (e.Op is not ("MUL_MAT" or "CONT" or "CPY")) return false;
        var d = Dims(e.Shape);
        return d.Length >= 3 && (d[2] == heads || e.Op != "MUL_MAT" && d[1] == heads);
    }

    private static long[] Dims(string shape) => shape.Split('x').Select(long.Parse).ToArray();
}
