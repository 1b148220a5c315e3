using System.Diagnostics;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>Time spent in one kind of graph node (an op, the shape it produced and the type of its first operand).</summary>
public sealed record OpTiming(string Op, string Shape, string SourceType, long Count, double Milliseconds);

/// <summary>
/// Per-node wall time of graphs run by a <see cref="GraphExecutor"/> whose <see cref="GraphExecutor.Profiler"/> is set.
/// The scheduler then computes one node at a time and synchronizes after each, so every node also pays one graph
/// launch (a few microseconds; ggml starts fresh worker threads, which our C# kernels must also attach to .NET, a few
/// hundred microseconds): compare <see cref="LaunchOverheadMs"/> with the totals. For finding hot spots, not for
/// end-to-end timing.
/// </summary>
public sealed unsafe class OpProfiler
{
    private readonly Dictionary<(string, string, string), (long Count, long Ticks)> _byKind = [];
    private long _mark;

    /// <summary>Nodes timed so far.</summary>
    public long Nodes { get; private set; }

    /// <summary>Time attributed to nodes that compute nothing (views, reshapes, permutes): pure launch overhead.</summary>
    public double LaunchOverheadMs => Entries.Where(e => IsEmpty(e.Op)).Sum(e => e.Milliseconds);

    /// <summary>Every kind of node seen, most expensive first.</summary>
    public IReadOnlyList<OpTiming> Entries =>
        _byKind.Select(kv => new OpTiming(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.Count, kv.Value.Ticks * 1000.0 / Stopwatch.Frequency))
            .OrderByDescending(e => e.Milliseconds).ToList();

    /// <summary>Totals per op name, most expensive first.</summary>
    public IReadOnlyList<OpTiming> ByOp =>
        Entries.GroupBy(e => e.Op)
            .Select(g => new OpTiming(g.Key, "*", "*", g.Sum(e => e.Count), g.Sum(e => e.Milliseconds)))
            .OrderByDescending(e => e.Milliseconds).ToList();

    public void Clear()
    {
        _byKind.Clear();
        Nodes = 0;
    }

    internal void Start() => _mark = Stopwatch.GetTimestamp();

    internal void Record(GgmlTensorStruct* node)
    {
        var now = Stopwatch.GetTimestamp();
        var op = Marshal.PtrToStringUTF8(GgmlCore.ggml_op_desc(node)) ?? "?";
        var t = new Tensor(node);
        if (op == "CUSTOM") op = $"CUSTOM {t.Name}";                              // our kernels name their results
        var src0 = node->Src[0] == 0 ? "-" : new Tensor((GgmlTensorStruct*)node->Src[0]).Type.ToString();
        var key = (op, string.Join("x", t.Shape.Take(t.Rank)), src0);
        var (count, ticks) = _byKind.GetValueOrDefault(key);
        _byKind[key] = (count + 1, ticks + now - _mark);
        Nodes++;
        _mark = Stopwatch.GetTimestamp();
    }

    private static bool IsEmpty(string op) => op is "VIEW" or "RESHAPE" or "PERMUTE" or "TRANSPOSE" or "NONE";
}
