using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Elementwise arithmetic and reductions. Binary ops broadcast b over a (b's sizes must divide a's).
public sealed unsafe partial class GgmlContext
{
    public Tensor Add(Tensor a, Tensor b) => Binary(a, b, "add", &GgmlOps.ggml_add);
    public Tensor Sub(Tensor a, Tensor b) => Binary(a, b, "sub", &GgmlOps.ggml_sub);
    public Tensor Mul(Tensor a, Tensor b) => Binary(a, b, "mul", &GgmlOps.ggml_mul);
    public Tensor Div(Tensor a, Tensor b) => Binary(a, b, "div", &GgmlOps.ggml_div);

    private Tensor Binary(Tensor a, Tensor b, string op,
        delegate*<nint, GgmlTensorStruct*, GgmlTensorStruct*, GgmlTensorStruct*> fn)
    {
        Require(CanRepeat(b, a), op, () => $"{S(b)} cannot be broadcast to {S(a)}");
        Require(IsFloat(a) && b.Type == GgmlType.F32 || a.Type == b.Type, op, () => $"unsupported types {a.Type} and {b.Type}");
        Require(a.Nb(0) == GgmlTypeSizes.BytesPerBlock(a.Type) && b.Nb(0) == GgmlTypeSizes.BytesPerBlock(b.Type), op,
            () => "operands must have contiguous rows");
        EnsureRoom(1);
        return new Tensor(fn(Pointer, a.Ptr, b.Ptr));
    }

    public Tensor Scale(Tensor a, float s)
    {
        Require(RowsContiguous(a), "scale", () => $"{S(a)} must be contiguous");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_scale(Pointer, a.Ptr, s));
    }

    public Tensor Sqr(Tensor a) { Unary(a, "sqr"); return new Tensor(GgmlOps.ggml_sqr(Pointer, a.Ptr)); }
    public Tensor Sqrt(Tensor a) { Unary(a, "sqrt"); return new Tensor(GgmlOps.ggml_sqrt(Pointer, a.Ptr)); }

    /// <summary>Sums along ne[0]: {n0, n1, n2, n3} -> {1, n1, n2, n3}.</summary>
    public Tensor SumRows(Tensor a)
    {
        RequireF32(a, "sum_rows");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_sum_rows(Pointer, a.Ptr));
    }

    /// <summary>Index of the largest value along ne[0] of a matrix: {n0, n1} -> {n1} of I32 (first maximum wins).</summary>
    public Tensor Argmax(Tensor a)
    {
        RequireF32(a, "argmax");
        Require(a.Ne2 == 1 && a.Ne3 == 1, "argmax", () => $"{S(a)} must be a matrix");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_argmax(Pointer, a.Ptr));
    }

    /// <summary>Repeats a to the shape of b.</summary>
    public Tensor Repeat(Tensor a, Tensor b)
    {
        Require(CanRepeat(a, b), "repeat", () => $"{S(a)} cannot be repeated to {S(b)}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_repeat(Pointer, a.Ptr, b.Ptr));
    }
}
