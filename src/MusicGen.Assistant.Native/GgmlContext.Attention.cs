using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

public sealed unsafe partial class GgmlContext
{
    /// <summary>
    /// Fused attention softmax(q·kᵀ · scale + mask)·v per head without the score matrix (ggml_flash_attn_ext): q
    /// {head_dim, n, heads, rows} F32, k and v {head_dim, n_kv, heads_kv, rows} of one float type (v NOT
    /// transposed), heads a multiple of heads_kv; mask F16 {n_kv, ≥ n, 1 or heads, 1 or rows} or none. Returns
    /// {head_dim_v, heads, n, rows}: the heads already side by side per position. Each operand's rows must be
    /// contiguous (views by permute are fine). On the CPU, q of ≥ 64 positions over F32/F16 keys takes ggml's tiled
    /// kernel (scores of 64 × 64 tiles, an online softmax, all in F32).
    /// </summary>
    public Tensor FlashAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, float scale)
    {
        const string op = "flash_attn_ext";
        Require(q.Type == GgmlType.F32, op, () => $"queries {S(q)} must be F32");
        Require(k.Type is GgmlType.F32 or GgmlType.F16 && v.Type == k.Type, op, () => $"keys {S(k)} and values {S(v)} must both be F32 or both F16");
        foreach (var t in new[] { q, k, v })
            Require(t.Nb(0) == GgmlTypeSizes.BytesPerBlock(t.Type), op, () => $"{S(t)} must have unit element stride");
        Require(q.Ne0 == k.Ne0, op, () => $"queries {S(q)} and keys {S(k)} differ in head size");
        Require(k.Ne1 == v.Ne1 && k.Ne2 == v.Ne2 && k.Ne3 == v.Ne3, op, () => $"keys {S(k)} and values {S(v)} differ in positions, heads or rows");
        Require(k.Ne2 > 0 && q.Ne2 % k.Ne2 == 0, op, () => $"{q.Ne2} query heads are not a multiple of {k.Ne2} key heads");
        Require(q.Ne3 == k.Ne3, op, () => $"queries {S(q)} and keys {S(k)} differ in rows");
        if (mask is { } m)
        {
            Require(m.Type == GgmlType.F16 && m.IsContiguous, op, () => $"mask {S(m)} must be contiguous F16");
            Require(m.Ne0 == k.Ne1 && m.Ne1 >= q.Ne1 && q.Ne2 % m.Ne2 == 0 && q.Ne3 % m.Ne3 == 0, op, () => $"mask {S(m)} does not fit {k.Ne1} keys x {q.Ne1} queries");
        }
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_flash_attn_ext(Pointer, q.Ptr, k.Ptr, v.Ptr, mask is { } mm ? mm.Ptr : null, scale, 0f, 0f));
    }
}
