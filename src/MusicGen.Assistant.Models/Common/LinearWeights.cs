using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// A PyTorch Linear resident on a backend: weight {in, out} (ggml order of [out, in]) and an optional bias {out}.
/// <see cref="Apply"/> maps x {in, ...} to {out, ...}.
/// </summary>
public sealed record LinearWeights(Tensor Weight, Tensor? Bias = null)
{
    public long InFeatures => Weight.Ne0;
    public long OutFeatures => Weight.Ne1;

    public Tensor Apply(GgmlContext ctx, Tensor x)
    {
        if (Weight.IsInt8Packed) return ctx.Int8Product(Weight, x, Bias); // the integer kernel adds the bias itself
        var y = ctx.MulMat(Weight, x);
        return Bias is { } b ? ctx.Add(y, b) : y;
    }

    /// <summary>
    /// <see cref="Apply"/> with a contiguous x {in, n, rows, ...} multiplied as one {in, n·rows} matrix (the result is
    /// reshaped back; two more context tensors than <see cref="Apply"/>). ggml multiplies each dim-2/3 slice on its
    /// own and takes its GEMM kernels, which load every weight block once for all columns, only for slices of ≥ 2
    /// columns: a batch's decode step (n = 1) would otherwise stream and decode the weights once per row.
    /// </summary>
    public Tensor ApplyAcrossRows(GgmlContext ctx, Tensor x)
    {
        if (x.Ne2 * x.Ne3 == 1 || !x.IsContiguous) return Apply(ctx, x);
        var y = ctx.MulMat(Weight, ctx.Reshape(x, x.Ne0, x.Ne1 * x.Ne2 * x.Ne3));
        y = ctx.Reshape(y, y.Ne0, x.Ne1, x.Ne2, x.Ne3);
        return Bias is { } b ? ctx.Add(y, b) : y;
    }
}
