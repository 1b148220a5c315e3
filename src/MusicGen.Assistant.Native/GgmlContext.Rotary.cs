using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>How <see cref="GgmlContext.Rope"/> pairs the values of a head it rotates (ggml.h GGML_ROPE_TYPE_*).</summary>
public enum RopeMode
{
    /// <summary>Adjacent pairs (x[2i], x[2i+1]): Meta's LLaMA (view_as_complex), llama.cpp's LLAMA architecture.</summary>
    Normal = 0,

    /// <summary>Halves (x[i], x[i + d/2]): GPT-NeoX and Hugging Face's rotate_half.</summary>
    NeoX = 2,
}

// Rotary position embedding and gated linear units.
public sealed unsafe partial class GgmlContext
{
    /// <summary>
    /// Rotary position embedding of x {head_dim, heads, n, ...}: the first <paramref name="dims"/> values of every head
    /// at token t are rotated by angles positions[t] · freqBase^(-2i/dims) · freqScale (divided by freqFactors[i]
    /// when given), pairing values as <paramref name="mode"/> says. positions: I32 {n}; freqFactors: F32 {≥ dims/2}.
    /// </summary>
    public Tensor Rope(Tensor x, Tensor positions, int dims, RopeMode mode, float freqBase, float freqScale = 1f, Tensor? freqFactors = null)
    {
        const string op = "rope";
        Require(x.Type is GgmlType.F32 or GgmlType.F16, op, () => $"{S(x)} must be F32 or F16");
        Require(positions.Type == GgmlType.I32 && positions.Ne1 == 1 && positions.Ne2 == 1 && positions.Ne3 == 1, op,
            () => $"positions {S(positions)} must be an I32 vector");
        Require(positions.Ne0 == x.Ne2, op, () => $"{positions.Ne0} positions for the {x.Ne2} tokens of {S(x)} (ne[2])");
        Require(dims > 0 && dims % 2 == 0 && dims <= x.Ne0, op, () => $"{dims} rotated dimensions must be even and at most the head size {x.Ne0}");
        Require(x.Nb(0) == GgmlTypeSizes.BytesPerBlock(x.Type), op, () => $"{S(x)} must have contiguous heads");
        Require(float.IsFinite(freqBase) && freqBase > 0 && float.IsFinite(freqScale) && freqScale > 0, op,
            () => $"frequency base {freqBase} and scale {freqScale} must be positive");
        if (freqFactors is { } f)
            Require(f.Type == GgmlType.F32 && f.Ne0 >= dims / 2 && f.IsContiguous, op, () => $"frequency factors {S(f)} must be F32 with at least {dims / 2} values");
        EnsureRoom(1);
        // ext_factor 0, attn_factor 1, beta 0: no YaRN
        return new Tensor(GgmlOps.ggml_rope_ext(Pointer, x.Ptr, positions.Ptr, freqFactors is { } ff ? ff.Ptr : null,
            dims, (int)mode, 0, freqBase, freqScale, 0f, 1f, 0f, 0f));
    }

    /// <summary>silu(gate) ⊙ up, elementwise, for two tensors of one shape with contiguous rows (SwiGLU's product).</summary>
    public Tensor SwiGlu(Tensor gate, Tensor up)
    {
        const string op = "swiglu";
        Require(gate.Type == up.Type && IsFloat(gate), op, () => $"{S(gate)} and {S(up)} must be float tensors of one type");
        Require(gate.Shape.SequenceEqual(up.Shape), op, () => $"{S(gate)} and {S(up)} differ in shape");
        Require(RowsContiguous(gate) && RowsContiguous(up), op, () => "both operands must be contiguous");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_swiglu_split(Pointer, gate.Ptr, up.Ptr));
    }
}
