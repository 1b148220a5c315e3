using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>The one-query attention kernel against the same attention built from ggml ops (scores, masked softmax, values).</summary>
public class OneQueryAttentionTests
{
    private const int HeadDim = 16, Heads = 3, Rows = 2, Width = HeadDim * Heads;

    public enum MaskKind { None, CausalTail, PerRowPadding, RowFullyBlocked }

    [Theory]
    [InlineData(MaskKind.None, 1, false, 7, false)]
    [InlineData(MaskKind.CausalTail, 1, false, 37, false)]
    [InlineData(MaskKind.CausalTail, 2, true, 64, false)]
    [InlineData(MaskKind.CausalTail, 2, false, 5, false)]
    [InlineData(MaskKind.PerRowPadding, 2, true, 12, false)]
    [InlineData(MaskKind.RowFullyBlocked, 1, false, 9, false)]
    [InlineData(MaskKind.None, 1, false, 7, true)]
    [InlineData(MaskKind.CausalTail, 2, true, 70, true)]
    [InlineData(MaskKind.PerRowPadding, 1, false, 12, true)]
    [InlineData(MaskKind.RowFullyBlocked, 2, true, 9, true)]
    public void Matches_the_ggml_ops_graph(MaskKind kind, int threads, bool keepWorkers, int keys, bool headMajorValues)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        if (keepWorkers) backend.KeepWorkerThreads();
        using var executor = new GraphExecutor(backend, 256);
        using var ctx = new GgmlContext(64);
        // a cache-like store: keys head-major with spare capacity, values transposed (or head-major) with spare capacity
        var capacity = keys + 3;
        var kStore = ctx.NewInput("k", GgmlType.F32, HeadDim, capacity, Heads, Rows);
        var vStore = headMajorValues
            ? ctx.NewInput("v", GgmlType.F32, HeadDim, capacity, Heads, Rows)
            : ctx.NewInput("v", GgmlType.F32, capacity, Width, Rows);
        var query = ctx.NewInput("q", GgmlType.F32, Width, 1, Rows);
        var k = ctx.View(kStore, [HeadDim, keys, Heads, Rows], [kStore.Nb(1), kStore.Nb(2), kStore.Nb(3)], 0);
        var vT = headMajorValues
            ? ctx.Permute(ctx.View(vStore, [HeadDim, keys, Heads, Rows], [vStore.Nb(1), vStore.Nb(2), vStore.Nb(3)], 0), 1, 0, 2, 3)
            : ctx.View(vStore, [keys, HeadDim, Heads, Rows], [vStore.Nb(1), HeadDim * vStore.Nb(1), vStore.Nb(2)], 0);
        var mask = kind switch
        {
            MaskKind.None => (Tensor?)null,
            MaskKind.CausalTail => ctx.NewInput("mask", GgmlType.F32, keys, 1),
            _ => ctx.NewInput("mask", GgmlType.F32, keys, 1, 1, Rows),
        };
        const float scale = 0.25f;

        var ours = ctx.MarkOutput(ctx.AttendOneQuery(query, k, vT, mask, scale));
        var qHeads = ctx.Permute(ctx.Reshape(query, HeadDim, Heads, 1, Rows), 0, 2, 1, 3);          // {hd, 1, H, R}
        var weights = ctx.SoftMax(ctx.MulMat(k, qHeads), mask, scale);
        var mixed = ctx.MulMat(headMajorValues ? ctx.Cont(vT) : vT, weights);                     // {hd, 1, H, R}
        var theirs = ctx.MarkOutput(ctx.Reshape(ctx.Cont(ctx.Permute(mixed, 0, 2, 1, 3)), Width, 1, Rows));
        var graph = ctx.NewGraph().Expand(ours).Expand(theirs);
        Assert.Equal(theirs.Shape, ours.Shape);

        executor.Allocate(graph);
        kStore.SetData<float>(CpuGraph.Random(HeadDim * capacity * Heads * Rows, 1));
        vStore.SetData<float>(CpuGraph.Random(capacity * Width * Rows, 2));
        query.SetData<float>(CpuGraph.Random(Width * Rows, 3).Select(x => 4 * x).ToArray());
        if (mask is { } m) m.SetData<float>(MaskValues(kind, keys));
        executor.Compute(graph);

        var a = ours.ToFloatArray();
        var b = theirs.ToFloatArray();
        for (var i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 2e-6f + 2e-6f * Math.Abs(b[i]), $"element {i}: kernel {a[i]:R}, ggml {b[i]:R}");
    }

    private static float[] MaskValues(MaskKind kind, int keys)
    {
        var blocked = float.MinValue;
        return kind switch
        {
            // the last 3 keys not written yet
            MaskKind.CausalTail => Enumerable.Range(0, keys).Select(j => j < keys - 3 ? 0f : blocked).ToArray(),
            // row 0 keeps every key, row 1 pads out the first and the last keys (a blocked key in the middle too)
            MaskKind.PerRowPadding => Enumerable.Range(0, Rows * keys).Select(i => i < keys || (i % keys is > 0 and < 9 && i % keys != 4) ? 0f : blocked).ToArray(),
            // row 0 open, row 1 entirely blocked (a guidance null row): ggml spreads its weight evenly
            _ => Enumerable.Range(0, Rows * keys).Select(i => i < keys ? 0f : blocked).ToArray(),
        };
    }

    [Fact]
    public void Refuses_shapes_it_cannot_take()
    {
        using var ctx = new GgmlContext(32);
        var k = ctx.NewTensor(GgmlType.F32, HeadDim, 5, Heads, Rows);
        var vT = ctx.NewTensor(GgmlType.F32, 5, HeadDim, Heads, Rows);
        var twoQueries = ctx.NewTensor(GgmlType.F32, Width, 2, Rows);
        var e = Assert.ThrowsAny<Exception>(() => ctx.AttendOneQuery(twoQueries, k, vT, null, 1f));
        Assert.Contains("is not one position", e.Message);
        var q = ctx.NewTensor(GgmlType.F32, Width, 1, Rows);
        var shortValues = ctx.NewTensor(GgmlType.F32, 4, HeadDim, Heads, Rows);
        Assert.Contains("do not match keys", Assert.ThrowsAny<Exception>(() => ctx.AttendOneQuery(q, k, shortValues, null, 1f)).Message);
        var wrongMask = ctx.NewTensor(GgmlType.F32, 6, 1);
        Assert.Contains("mask", Assert.ThrowsAny<Exception>(() => ctx.AttendOneQuery(q, k, vT, wrongMask, 1f)).Message);
    }
}
