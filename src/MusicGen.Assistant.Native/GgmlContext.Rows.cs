using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Row scatter: the write side of GetRows.
public sealed unsafe partial class GgmlContext
{
    /// <summary>
    /// ggml_set_rows: writes row i of <paramref name="source"/> {n0, n, s2, s3} to row indices[i] of
    /// <paramref name="destination"/> {n0, rows, s2, s3} (ne[1] slices), for every (s2, s3); indices {n, i2, i3} (I32
    /// or I64) broadcast over dims 2 and 3 of the source. Returns a view of the destination that is ordered after the
    /// write. Index values are checked by whoever uploads them (<see cref="CheckIndices"/>): ggml asserts on them.
    /// </summary>
    public Tensor SetRows(Tensor destination, Tensor source, Tensor indices)
    {
        Require(indices.Type is GgmlType.I32 or GgmlType.I64, "set_rows", () => $"indices {S(indices)} must be I32 or I64");
        Require(source.Type is GgmlType.F32 or GgmlType.F16, "set_rows", () => $"source {S(source)} must be F32 or F16");
        Require(destination.Ne0 == source.Ne0 && destination.Ne2 == source.Ne2 && destination.Ne3 == source.Ne3, "set_rows",
            () => $"source {S(source)} rows do not fit destination {S(destination)}");
        Require(source.Ne1 == indices.Ne0 && indices.Ne3 == 1 && source.Ne2 % indices.Ne1 == 0 && source.Ne3 % indices.Ne2 == 0, "set_rows",
            () => $"indices {S(indices)} do not index the rows of {S(source)}");
        Require(RowsAreContiguous(destination) && RowsAreContiguous(source), "set_rows",
            () => $"{S(destination)} and {S(source)} must have contiguous rows");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_set_rows(Pointer, destination.Ptr, source.Ptr, indices.Ptr));
    }

    // ggml_is_contiguous_rows: one block per row, or elements side by side
    private static bool RowsAreContiguous(Tensor t) =>
        t.Ne0 == GgmlTypeSizes.BlockSize(t.Type) || t.Nb(0) == GgmlTypeSizes.BytesPerBlock(t.Type);
}
