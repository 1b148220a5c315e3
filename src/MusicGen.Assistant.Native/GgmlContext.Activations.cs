using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Activations and normalizations.
public sealed unsafe partial class GgmlContext
{
    private void Unary(Tensor a, string op)
    {
        Require(IsFloat(a), op, () => $"{S(a)} must be a float tensor");
        Require(a.IsContiguous, op, () => $"{S(a)} must be contiguous");
        EnsureRoom(1);
    }

    /// <summary>ELU with alpha 1: x if x > 0 else exp(x) - 1.</summary>
    public Tensor Elu(Tensor a) { Unary(a, "elu"); return Differentiable ? EluComposite(a) : new Tensor(GgmlOps.ggml_elu(Pointer, a.Ptr)); }
    public Tensor Relu(Tensor a) { Unary(a, "relu"); return new Tensor(GgmlOps.ggml_relu(Pointer, a.Ptr)); }
    public Tensor Sigmoid(Tensor a) { Unary(a, "sigmoid"); return Differentiable ? SigmoidComposite(a) : new Tensor(GgmlOps.ggml_sigmoid(Pointer, a.Ptr)); }
    public Tensor Tanh(Tensor a) { Unary(a, "tanh"); return Differentiable ? TanhComposite(a) : new Tensor(GgmlOps.ggml_tanh(Pointer, a.Ptr)); }
    public Tensor Silu(Tensor a) { Unary(a, "silu"); return new Tensor(GgmlOps.ggml_silu(Pointer, a.Ptr)); }

    /// <summary>GELU with the tanh approximation.</summary>
    public Tensor GeluTanh(Tensor a) { Unary(a, "gelu"); return Differentiable ? GeluTanhComposite(a) : new Tensor(GgmlOps.ggml_gelu(Pointer, a.Ptr)); }

    /// <summary>Exact GELU: x * Phi(x) (PyTorch's default nn.GELU).</summary>
    public Tensor GeluErf(Tensor a) { Unary(a, "gelu_erf"); return Differentiable ? GeluErfComposite(a) : new Tensor(GgmlOps.ggml_gelu_erf(Pointer, a.Ptr)); }

    /// <summary>(x - mean) / sqrt(var + eps) over ne[0]; no affine part.</summary>
    public Tensor Norm(Tensor a, float eps)
    {
        RequireF32(a, "norm");
        Require(a.Nb(0) == 4, "norm", () => $"{S(a)} must have contiguous rows");
        if (Differentiable) return LayerNormComposite(a, eps);
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_norm(Pointer, a.Ptr, eps));
    }

    /// <summary>x / sqrt(mean(x^2) + eps) over ne[0]; no affine part.</summary>
    public Tensor RmsNorm(Tensor a, float eps)
    {
        RequireF32(a, "rms_norm");
        Require(a.Nb(0) == 4, "rms_norm", () => $"{S(a)} must have contiguous rows");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_rms_norm(Pointer, a.Ptr, eps));
    }

    /// <summary>Softmax over ne[0].</summary>
    public Tensor SoftMax(Tensor a)
    {
        RequireF32(a, "soft_max");
        RequireContiguous(a, "soft_max");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_soft_max(Pointer, a.Ptr));
    }

    /// <summary>softmax(a * scale + mask) over ne[0]; mask {n0, >= n1} is broadcast over ne[2], ne[3].</summary>
    public Tensor SoftMax(Tensor a, Tensor? mask, float scale)
    {
        RequireF32(a, "soft_max_ext");
        RequireContiguous(a, "soft_max_ext");
        if (mask is { } m)
        {
            Require(m.Type is GgmlType.F32 or GgmlType.F16, "soft_max_ext", () => $"mask {S(m)} must be F32 or F16");
            Require(m.IsContiguous, "soft_max_ext", () => $"mask {S(m)} must be contiguous");
            Require(m.Ne0 == a.Ne0 && m.Ne1 >= a.Ne1 && a.Ne2 % m.Ne2 == 0 && a.Ne3 % m.Ne3 == 0, "soft_max_ext",
                () => $"mask {S(m)} does not fit scores {S(a)}");
        }
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_soft_max_ext(Pointer, a.Ptr, mask is { } mm ? mm.Ptr : null, scale, 0f));
    }
}
