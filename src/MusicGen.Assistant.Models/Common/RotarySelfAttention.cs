using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Where a block's attention gets its keys and values from its projections {kv_width, n, rows}: the projections
/// themselves (a whole sequence at once) or a cache they are first written to. Returns per-head keys and transposed
/// values as <see cref="MultiHeadAttention.Attend"/> takes them.
/// </summary>
public delegate (Tensor Keys, Tensor ValuesTransposed) AttentionMemory(int layer, Tensor keys, Tensor values);

/// <summary>
/// Causal self-attention with rotary positions and grouped-query heads (LLaMA's): q, k, v projections (each with its
/// optional bias and LoRA), RoPE on q and k, softmax(q·kᵀ/√d + mask)·v with <see cref="KeyValueHeads"/> key/value heads
/// each serving <see cref="Heads"/> / <see cref="KeyValueHeads"/> consecutive query heads (ggml broadcasts them, no
/// copies), the <see cref="IAttentionOutputHook"/> on the merged heads, then the output projection.
/// </summary>
public sealed record RotarySelfAttention(
    AdaptedLinear Query, AdaptedLinear Key, AdaptedLinear Value, AdaptedLinear Output, int Heads, int KeyValueHeads, int HeadDim)
{
    /// <summary>1/√head_dim.</summary>
    public float Scale => 1f / MathF.Sqrt(HeadDim);

    /// <summary>
    /// x {dim, n} (normed) at token positions {n} → {dim, n}. The mask is causal over the keys the memory returns
    /// (null for one query over only written keys). <paramref name="oneQueryKernel"/> lets a single query on the CPU
    /// take our attention kernel (<see cref="MultiHeadAttention.Attend"/>), for ungrouped heads only.
    /// </summary>
    public Tensor Apply(GgmlContext ctx, int layer, Tensor x, Tensor positions, RotaryEmbedding rope, Tensor? mask,
        AttentionMemory memory, IAttentionOutputHook? hook, bool oneQueryKernel = false)
    {
        var n = x.Ne1;
        var q = Rotate(ctx, Query.Apply(ctx, x), Heads, n, positions, rope);                      // {H·hd, n, 1}
        var k = Rotate(ctx, Key.Apply(ctx, x), KeyValueHeads, n, positions, rope);                // {Hkv·hd, n, 1}
        var v = ctx.Reshape(Value.Apply(ctx, x), (long)KeyValueHeads * HeadDim, n, 1);
        var (keys, values) = memory(layer, k, v);
        var attention = MultiHeadAttention.OverFusedCache(ctx, keys, values, mask)
            ? MultiHeadAttention.AttendCached(ctx, q, keys, values, mask, Heads, Scale)
            : MultiHeadAttention.Attend(ctx, q, keys, values, mask, Heads, Scale, oneQueryKernel && Heads == KeyValueHeads);
        if (hook is not null) attention = hook.Apply(ctx, layer, attention);
        return Output.Apply(ctx, ctx.Reshape(attention, attention.Ne0, n));
    }

    private Tensor Rotate(GgmlContext ctx, Tensor projected, int heads, long n, Tensor positions, RotaryEmbedding rope)
    {
        var rotated = rope.Apply(ctx, ctx.Reshape(projected, HeadDim, heads, n), positions);
        return ctx.Reshape(rotated, (long)heads * HeadDim, n, 1);
    }
}
