using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.Common;

/// <summary>
/// The fused attention node (ggml_flash_attn_ext) the encoders take on the CPU against the plain ops (q·kᵀ,
/// softmax, ·v, heads merged): ggml's tiled kernel (≥ 64 queries), its per-query kernel (fewer), several rows, more
/// keys than queries, F16 keys and values; and operands it would abort on are refused first.
/// </summary>
public class FusedAttentionTests
{
    [Theory]
    [InlineData(197, 197, 768, 12, 1)]   // ViT-sized: tiled, a partial last tile
    [InlineData(130, 70, 256, 4, 2)]     // more keys than queries, two rows
    [InlineData(9, 9, 64, 2, 3)]         // fewer than one tile of queries: the per-query kernel
    [InlineData(64, 300, 128, 2, 1)]     // more queries than keys
    public void Fused_equals_the_plain_ops(int keys, int queries, int width, int heads, int rows)
    {
        var (fused, plain) = Run(keys, queries, width, heads, rows, GgmlType.F32);
        var worst = fused.Zip(plain, (a, b) => Math.Abs(a - b)).Max();
        var scale = plain.Max(Math.Abs);
        Assert.True(worst <= 2e-6f * Math.Max(1, scale), $"fused attention differs from the plain ops by up to {worst} (values up to {scale})");
    }

    [Fact]
    public void F16_keys_and_values_stay_close()
    {
        var (fused, plain) = Run(150, 100, 128, 2, 1, GgmlType.F16);
        var worst = fused.Zip(plain, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst is > 0 and < 5e-3f, $"F16 keys and values moved the result by {worst}");
    }

    [Fact]
    public void Operands_ggml_would_abort_on_are_refused()
    {
        using var ctx = new GgmlContext(16);
        var q = ctx.NewTensor(GgmlType.F32, 64, 10, 2, 1);
        var k = ctx.NewTensor(GgmlType.F32, 64, 12, 2, 1);
        Assert.Throws<GgmlException>(() => ctx.FlashAttention(q, k, ctx.NewTensor(GgmlType.F16, 64, 12, 2, 1), null, 1));        // mixed K/V types
        Assert.Throws<GgmlException>(() => ctx.FlashAttention(q, ctx.NewTensor(GgmlType.F32, 32, 12, 2, 1), k, null, 1));       // head sizes
        Assert.Throws<GgmlException>(() => ctx.FlashAttention(q, k, ctx.NewTensor(GgmlType.F32, 64, 11, 2, 1), null, 1));       // positions
        Assert.Throws<GgmlException>(() => ctx.FlashAttention(q, k, k, ctx.NewTensor(GgmlType.F32, 12, 10), 1));                 // F32 mask
        Assert.Throws<GgmlException>(() => ctx.FlashAttention(ctx.NewTensor(GgmlType.F32, 64, 10, 3, 1), k, k, null, 1));       // 3 heads over 2
    }

    private static (float[] Fused, float[] Plain) Run(int keys, int queries, int width, int heads, int rows, GgmlType kvType)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var executor = new GraphExecutor(backend);
        using var ctx = new GgmlContext(64);
        var q = ctx.NewInput("q", GgmlType.F32, width, queries, rows);
        var k = ctx.NewInput("k", GgmlType.F32, width, keys, rows);
        var v = ctx.NewInput("v", GgmlType.F32, width, keys, rows);
        var scale = 1 / MathF.Sqrt(width / (float)heads);
        var (kf, vf) = kvType == GgmlType.F32 ? (k, v) : (ctx.Cast(k, kvType), ctx.Cast(v, kvType));
        var fused = ctx.MarkOutput(MultiHeadAttention.AttendFused(ctx, q, kf, vf, heads, scale));
        var plain = ctx.MarkOutput(MultiHeadAttention.Attend(ctx, q, MultiHeadAttention.Keys(ctx, k, heads), MultiHeadAttention.ValuesTransposed(ctx, v, heads), null, heads, scale));
        var graph = ctx.NewGraph().Expand(fused).Expand(plain);
        executor.Allocate(graph);
        var rng = new Random(keys * 31 + queries);
        foreach (var t in new[] { q, k, v })
            t.SetData<float>(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray());
        executor.Compute(graph);
        Assert.Equal(plain.Shape, fused.Shape);
        return (fused.ToFloatArray(), plain.ToFloatArray());
    }
}
