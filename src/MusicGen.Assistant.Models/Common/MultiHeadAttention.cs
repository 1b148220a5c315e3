using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Scaled dot-product attention over ggml tensors, shared by every transformer family. Activations are {width, n,
/// rows} (a row is one sequence of the batch). Keys are read per head as {head_dim, n_kv, heads, rows} and values
/// transposed as {n_kv, head_dim, heads, rows}, the layouts <see cref="KvCache"/> stores, so that attention over a
/// cache needs no copy of it.
/// </summary>
public static class MultiHeadAttention
{
    /// <summary>
    /// softmax(q·kᵀ · scale + mask) · v, heads merged back: q {width, n, rows} with keys/values from
    /// <see cref="Keys"/>/<see cref="ValuesTransposed"/> or a cache -> {width, n, rows}. The mask (0 = attend, a very
    /// negative number = not) is {n_kv, ≥ n} shared by every row, or {n_kv, ≥ n, 1, rows} per row. With
    /// <paramref name="cpuKernel"/> (CPU backend only) a single query over F32 keys and values is one node of our kernel
    /// (<see cref="GgmlContext.AttendOneQuery"/>: a decode step's attention, which skips the masked tail of a cache).
    /// </summary>
    public static Tensor Attend(GgmlContext ctx, Tensor query, Tensor keys, Tensor valuesTransposed, Tensor? mask, int heads, float scale,
        bool cpuKernel = false)
    {
        if (cpuKernel && !ctx.Differentiable && OneQueryKernelTakes(query, keys, valuesTransposed, mask))
            return ctx.AttendOneQuery(query, keys, valuesTransposed, mask, scale);
        var q = Keys(ctx, query, heads);                                             // {hd, n, H, rows}
        var scores = ctx.MulMat(keys, q);                                            // {n_kv, n, H, rows}
        var weights = ctx.SoftMax(scores, mask, scale);
        // a permuted view (head-major cached values) is copied into the layout ggml's product takes
        var vT = valuesTransposed.Nb(0) == GgmlTypeSizes.BytesPerBlock(valuesTransposed.Type) ? valuesTransposed : ctx.Cont(valuesTransposed);
        var mixed = ctx.MulMat(vT, weights);                                         // {hd, n, H, rows}
        var merged = ctx.Cont(ctx.Permute(mixed, 0, 2, 1, 3));                       // {hd, H, n, rows}
        return ctx.Reshape(merged, query.Ne0, query.Ne1, query.Ne2);
    }

    /// <summary>
    /// Whole-sequence self-attention of an encoder as one fused node per layer (<see cref="GgmlContext.FlashAttention"/>):
    /// no score matrix in memory and no separate softmax pass. q, k, v are the projections {width, n, rows}; the
    /// result is {width, n, rows} with the heads merged, as <see cref="Attend"/> gives.
    /// </summary>
    public static Tensor AttendFused(GgmlContext ctx, Tensor query, Tensor key, Tensor value, int heads, float scale)
    {
        var fused = ctx.FlashAttention(Keys(ctx, query, heads), Keys(ctx, key, heads), Keys(ctx, value, heads), null, scale); // {hd, H, n, rows}
        return ctx.Reshape(fused, query.Ne0, query.Ne1, query.Ne2);
    }

    /// <summary>
    /// An encoder layer's unmasked self-attention as one fused node: by our integer kernel
    /// (<see cref="GgmlContext.Int8Attention"/>) when the layer's q, k and v projections are packed Q8_0 (a quantized
    /// model on a CPU with the integer kernel: the precision its user chose), else ggml's F32 kernel (<see cref="AttendFused"/>).
    /// </summary>
    public static Tensor AttendUnmasked(GgmlContext ctx, AttentionWeights w, Tensor query, Tensor key, Tensor value) =>
        TakesInt8(w, query.Ne1) ? ctx.Int8Attention(query, key, value, w.Heads, w.Scale) : AttendFused(ctx, query, key, value, w.Heads, w.Scale);

    /// <summary>Whether <see cref="AttendUnmasked"/> takes the integer kernel for this layer over <paramref name="keys"/> keys.</summary>
    public static bool TakesInt8(AttentionWeights w, long keys) =>
        w.Query.Weight.IsInt8Packed && w.Key.Weight.IsInt8Packed && w.Value.Weight.IsInt8Packed && Int8AttentionKernel.Takes(w.HeadDim, keys);

    /// <summary>
    /// Attention of queries {width, n, rows} over a cache as one fused node (<see cref="GgmlContext.FlashAttention"/>,
    /// what llama.cpp runs over its f16 cache): keys {head_dim, n_kv, kv_heads, rows} and head-major values seen
    /// transposed (<see cref="KvCache.ValuesTransposed"/>), both F16; the mask F16 {n_kv, ≥ n}. Grouped-query heads
    /// are broadcast by the kernel. Returns {width, n, rows} like <see cref="Attend"/>.
    /// </summary>
    public static Tensor AttendCached(GgmlContext ctx, Tensor query, Tensor keys, Tensor valuesTransposed, Tensor? mask, int heads, float scale)
    {
        var values = ctx.Permute(valuesTransposed, 1, 0, 2, 3);                    // back to {hd, n_kv, kv_heads, rows}
        var fused = ctx.FlashAttention(Keys(ctx, query, heads), keys, values, mask, scale); // {hd, H, n, rows}
        return ctx.Reshape(fused, query.Ne0, query.Ne1, query.Ne2);
    }

    /// <summary>
    /// Whether a session with a cache of <paramref name="cacheType"/> on <paramref name="backend"/> reads it with
    /// <see cref="AttendCached"/> (and so keeps head-major values and an F16 mask): an f16 cache on the CPU.
    /// </summary>
    public static bool FusedCacheOn(ComputeBackend backend, GgmlType cacheType) => cacheType == GgmlType.F16 && backend.IsCpu;

    /// <summary>
    /// Whether attention over this cache is <see cref="AttendCached"/>'s one fused node: F16 keys, F16 head-major
    /// values (seen transposed) and an F16 mask, what a session with an f16 cache on the CPU builds (LLaMA, MusicGen).
    /// </summary>
    public static bool OverFusedCache(GgmlContext ctx, Tensor keys, Tensor valuesTransposed, Tensor? mask) =>
        !ctx.Differentiable && keys.Type == GgmlType.F16 && valuesTransposed.Type == GgmlType.F16 &&
        valuesTransposed.Nb(1) == GgmlTypeSizes.BytesPerBlock(GgmlType.F16) && mask is { Type: GgmlType.F16 };

    /// <summary>
    /// Whether encoder graphs on <paramref name="backend"/> take <see cref="AttendFused"/>: on the CPU, where ggml's
    /// tiled kernel runs 64 × 64 score tiles in F32 (other backends keep the plain ops).
    /// </summary>
    public static bool FusedByDefault(ComputeBackend backend) => backend.IsCpu;

    // one query over F32 keys (unit element stride) and F32 values (transposed, or head-major seen transposed), and
    // an F32 mask shared by the heads
    private static bool OneQueryKernelTakes(Tensor query, Tensor keys, Tensor valuesTransposed, Tensor? mask) =>
        query.Ne1 == 1 && query.IsContiguous && query.Type == GgmlType.F32 &&
        keys.Type == GgmlType.F32 && keys.Nb(0) == sizeof(float) &&
        valuesTransposed.Type == GgmlType.F32 && (valuesTransposed.Nb(0) == sizeof(float) || valuesTransposed.Nb(1) == sizeof(float)) &&
        (mask is not { } m || m.Type == GgmlType.F32 && m.IsContiguous && m.Ne2 == 1);

    /// <summary>Projected keys (or queries) {width, n, rows} seen per head: a view {head_dim, n, heads, rows}.</summary>
    public static Tensor Keys(GgmlContext ctx, Tensor x, int heads)
    {
        var headDim = HeadDim(x, heads);
        return ctx.Permute(ctx.Reshape(x, headDim, heads, x.Ne1, x.Ne2), 0, 2, 1, 3);
    }

    /// <summary>Projected values {width, n, rows} as the transposed per-head copy {n, head_dim, heads, rows}.</summary>
    public static Tensor ValuesTransposed(GgmlContext ctx, Tensor x, int heads)
    {
        var headDim = HeadDim(x, heads);
        return ctx.Cont(ctx.Permute(ctx.Reshape(x, headDim, heads, x.Ne1, x.Ne2), 1, 2, 0, 3));
    }

    private static long HeadDim(Tensor x, int heads)
    {
        if (heads < 1 || x.Ne0 % heads != 0)
            throw new GgmlException($"attention: {heads} heads do not divide the width {x.Ne0} of '{x.Name}' {x.ShapeText}");
        if (x.Ne3 != 1)
            throw new GgmlException($"attention: '{x.Name}' {x.ShapeText} must be {{width, n, rows}}");
        return x.Ne0 / heads;
    }
}
