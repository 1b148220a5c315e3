using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Matrix products, lookups and the convolution helpers (im2col / col2im).
public sealed unsafe partial class GgmlContext
{
    /// <summary>
    /// ggml_mul_mat(w, x) = x·wᵀ: w {k, m} (any supported type), x {k, n, ...} F32 -> {m, n, ...} F32. A PyTorch Linear
    /// weight [out, in] is w with Ne = {in, out}.
    /// </summary>
    public Tensor MulMat(Tensor w, Tensor x)
    {
        if (w.IsInt8Packed) return Int8Product(w, x);
        Require(w.Ne0 == x.Ne0, "mul_mat", () => $"inner sizes differ: {S(w)} vs {S(x)}");
        Require(x.Ne2 % w.Ne2 == 0 && x.Ne3 % w.Ne3 == 0, "mul_mat", () => $"{S(w)} cannot be broadcast over {S(x)}");
        Require(w.Nb(0) == GgmlTypeSizes.BytesPerBlock(w.Type) && w.Nb(1) >= w.Nb(0), "mul_mat", () => $"{S(w)} must not be transposed or permuted");
        Require(x.Type == GgmlType.F32, "mul_mat", () => $"{S(x)} must be F32");
        Require(x.Nb(0) == 4, "mul_mat", () => $"{S(x)} must have contiguous rows");
        // ggml's repacked products take a 2-D weight and activations of at most three dimensions
        Require(!w.IsRepacked || w.Rank <= 2 && x.Ne3 == 1, "mul_mat", () => $"the repacked weight {S(w)} takes activations of up to 3 dimensions, not {S(x)}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_mul_mat(Pointer, w.Ptr, x.Ptr));
    }

    /// <summary>
    /// ggml_out_prod(a, b) = a·bᵀ contracting dim 1: a {m, k, ...}, b {n, k, ...} F32 -> {m, n, ...}. A weighted sum over
    /// the columns of a {m, T} with weights {1, T} reads a in place, where mul_mat would need it transposed and copied.
    /// </summary>
    public Tensor OutProd(Tensor a, Tensor b)
    {
        Require(a.Type == GgmlType.F32 && b.Type == GgmlType.F32, "out_prod", () => $"{S(a)} and {S(b)} must be F32");
        Require(a.Ne1 == b.Ne1 && b.Ne2 % a.Ne2 == 0 && b.Ne3 % a.Ne3 == 0, "out_prod", () => $"{S(a)} and {S(b)} do not share dim 1 or broadcast");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_out_prod(Pointer, a.Ptr, b.Ptr));
    }

    /// <summary>
    /// Gathers rows (ne[1] slices) of a by I32 indices: a {n0, rows}, idx {k} -> {n0, k} F32. Index values are checked
    /// by whoever uploads them (<see cref="CheckIndices"/>), as ggml asserts on them during compute.
    /// </summary>
    public Tensor GetRows(Tensor a, Tensor indices)
    {
        Require(indices.Type == GgmlType.I32, "get_rows", () => $"indices {S(indices)} must be I32");
        Require(a.Ne2 == indices.Ne1 && indices.Ne3 == 1, "get_rows", () => $"{S(indices)} does not index {S(a)}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_get_rows(Pointer, a.Ptr, indices.Ptr));
    }

    /// <summary>Throws unless every index lies in [0, rowCount).</summary>
    public static void CheckIndices(ReadOnlySpan<int> indices, long rowCount, string what)
    {
        for (var i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= rowCount)
                throw new GgmlException($"{what}: index {indices[i]} at position {i} is outside [0, {rowCount})");
    }

    /// <summary>
    /// 1-D im2col: data {length, channels, batch}, kernel {k, channels, ...} -> {channels*k, outLength, batch} (k fastest).
    /// </summary>
    public Tensor Im2Col1d(Tensor kernel, Tensor data, int stride, int padding, int dilation, GgmlType dstType = GgmlType.F32)
    {
        Require(stride > 0 && dilation > 0 && padding >= 0, "im2col", () => "stride and dilation must be positive");
        Require(kernel.Ne1 == data.Ne1, "im2col", () => $"kernel {S(kernel)} and data {S(data)} differ in channels");
        var outLength = (data.Ne0 + 2 * padding - dilation * (kernel.Ne0 - 1) - 1) / stride + 1;
        Require(outLength > 0, "im2col", () => $"data {S(data)} is shorter than the kernel span");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_im2col(Pointer, kernel.Ptr, data.Ptr, stride, 0, padding, 0, dilation, 0, false, (int)dstType));
    }

    /// <summary>
    /// Overlap-adds GEMM columns {k*channels (k fastest), frames} into a signal {(frames-1)*stride + k - 2*crop, channels}.
    /// </summary>
    public Tensor Col2Im1d(Tensor columns, int stride, int channels, int crop)
    {
        Require(columns.Ne2 == 1 && columns.Ne3 == 1 && columns.IsContiguous, "col2im_1d", () => $"{S(columns)} must be a contiguous matrix");
        Require(IsFloat(columns), "col2im_1d", () => $"{S(columns)} must be float");
        Require(stride > 0 && channels > 0 && crop >= 0 && columns.Ne0 % channels == 0, "col2im_1d",
            () => $"{S(columns)} is not a whole number of {channels}-channel kernels");
        var k = columns.Ne0 / channels;
        Require((columns.Ne1 - 1) * stride + k - 2 * crop > 0, "col2im_1d", () => "crop removes everything");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_col2im_1d(Pointer, columns.Ptr, stride, channels, crop));
    }
}
