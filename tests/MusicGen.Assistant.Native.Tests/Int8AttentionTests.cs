using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>
/// The integer attention kernel (<see cref="GgmlContext.Int8Attention"/>) against softmax(scale·q·kᵀ)·v computed
/// exactly, on generated shapes (key counts around the 8-key groups, 32-key blocks and 32-query blocks, several heads
/// and items, one and two threads) and on the score patterns that stress a quantized softmax.
/// </summary>
public class Int8AttentionTests
{
    private static bool Available => Int8Products.Enabled;

    public static TheoryData<int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, int>();
        var rng = new Random(61206);
        foreach (var n in new[] { 1, 7, 9, 31, 33, 64, 65, 100 })
            data.Add(n, rng.Next(1, 4), 32 * rng.Next(1, 3), 1 + n % 2, 1 + rng.Next(2));
        data.Add(257, 2, 64, 1, 2);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Integer_attention_matches_the_exact_attention(int n, int heads, int headDim, int items, int threads)
    {
        if (!Available) return;
        var rng = new Random(n * 13 + heads * 7 + headDim);
        var width = heads * headDim;
        float[] Random() => Enumerable.Range(0, width * n * items).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var (q, k, v) = (Random(), Random(), Random());
        var scale = 3f / MathF.Sqrt(headDim); // sharper than 1/√d: a few keys dominate each query
        var y = Run(q, k, v, width, n, items, heads, scale, threads);
        var exact = Exact(q, k, v, width, n, items, heads, scale);
        Assert.InRange(ErrorMetrics.RelativeRms(y, exact), 0, 1.5e-2);
    }

    [Fact]
    public void Many_small_weights_beside_one_large_one_keep_their_share()
    {
        // key 0 scores 8 above the rest: each other key gets e^-8 ≈ 1/3000 of its weight, below one step of a byte
        // scaled by the largest weight, but 2000 of them together outweigh it. Per-block scales keep all but the 31
        // sharing key 0's block (1.5 % of their mass, here 0.6 % of the weights); the output is a difference of the
        // two groups (+1 against about -0.9), which amplifies that about four times. A byte scaled by the whole row's
        // largest weight would drop them all (about 100 % here).
        if (!Available) return;
        const int n = 2001, headDim = 32;
        var rng = new Random(4);
        var q = new float[headDim];
        q[0] = 1f;
        var k = new float[headDim * n];
        var v = new float[headDim * n];
        for (var t = 0; t < n; t++)
        {
            k[t * headDim] = t == 0 ? 8f : 0f;
            for (var d = 0; d < headDim; d++) v[t * headDim + d] = t == 0 ? 1f : (float)rng.NextDouble() * 0.2f - 1f;
        }
        var queries = Enumerable.Range(0, n).SelectMany(_ => q).ToArray();
        var y = Run(queries, k, v, headDim, n, 1, 1, 1f, 1);
        var exact = Exact(queries, k, v, headDim, n, 1, 1, 1f);
        Assert.InRange(ErrorMetrics.RelativeRms(y, exact), 0, 3e-2);
    }

    [Fact]
    public void Heads_that_are_not_whole_blocks_and_mismatched_projections_are_refused()
    {
        using var ctx = new GgmlContext(16);
        var q = ctx.NewInput("q", GgmlType.F32, 48, 10);
        var e = Assert.Throws<GgmlException>(() => ctx.Int8Attention(q, q, q, 1, 1f));
        Assert.Contains("1 heads of", e.Message);
        var k = ctx.NewInput("k", GgmlType.F32, 64, 11);
        var q64 = ctx.NewInput("q64", GgmlType.F32, 64, 10);
        e = Assert.Throws<GgmlException>(() => ctx.Int8Attention(q64, k, k, 2, 1f));
        Assert.Contains("differ", e.Message);
        var many = ctx.NewInput("many", GgmlType.F32, 64, Int8AttentionKernel.MaxKeys + 1);
        e = Assert.Throws<GgmlException>(() => ctx.Int8Attention(many, many, many, 2, 1f));
        Assert.Contains($"{Int8AttentionKernel.MaxKeys + 1} keys are more than the integer attention takes", e.Message);
    }

    private static float[] Run(float[] q, float[] k, float[] v, int width, int n, int items, int heads, float scale, int threads)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        using var ctx = new GgmlContext(16);
        var (tq, tk, tv) = (ctx.NewInput("q", GgmlType.F32, width, n, items), ctx.NewInput("k", GgmlType.F32, width, n, items), ctx.NewInput("v", GgmlType.F32, width, n, items));
        var y = ctx.MarkOutput(ctx.Int8Attention(tq, tk, tv, heads, scale));
        var graph = ctx.NewGraph().Expand(y);
        using var executor = new GraphExecutor(backend);
        executor.Allocate(graph);
        tq.SetData<float>(q);
        tk.SetData<float>(k);
        tv.SetData<float>(v);
        executor.Compute(graph);
        return y.ToFloatArray();
    }

    private static float[] Exact(float[] q, float[] k, float[] v, int width, int n, int items, int heads, float scale)
    {
        var hd = width / heads;
        var y = new float[width * n * items];
        var w = new double[n];
        for (var b = 0; b < items; b++)
            for (var h = 0; h < heads; h++)
                for (var t = 0; t < n; t++)
                {
                    var max = double.NegativeInfinity;
                    for (var s = 0; s < n; s++)
                    {
                        var dot = 0.0;
                        for (var d = 0; d < hd; d++) dot += (double)q[(b * n + t) * width + h * hd + d] * k[(b * n + s) * width + h * hd + d];
                        w[s] = dot * scale;
                        max = Math.Max(max, w[s]);
                    }
                    var sum = 0.0;
                    for (var s = 0; s < n; s++) sum += w[s] = Math.Exp(w[s] - max);
                    for (var d = 0; d < hd; d++)
                    {
                        var acc = 0.0;
                        for (var s = 0; s < n; s++) acc += w[s] * v[(b * n + s) * width + h * hd + d];
                        y[(b * n + t) * width + h * hd + d] = (float)(acc / sum);
                    }
                }
        return y;
    }
}
