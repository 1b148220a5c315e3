using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

// Views, reshapes, permutations, copies, concatenation and padding.
public sealed unsafe partial class GgmlContext
{
    public Tensor Cont(Tensor a) { EnsureRoom(1); return new Tensor(GgmlOps.ggml_cont(Pointer, a.Ptr)); }

    public Tensor Reshape(Tensor a, params long[] ne)
    {
        Require(a.IsContiguous, "reshape", () => $"{S(a)} must be contiguous (use Cont first)");
        Require(ne.Length is >= 1 and <= 4, "reshape", () => "1 to 4 dimensions");
        var count = ne.Aggregate(1L, (x, y) => x * y);
        Require(count == a.ElementCount && ne.All(n => n > 0), "reshape",
            () => $"[{string.Join(", ", ne)}] does not hold the {a.ElementCount} elements of {S(a)}");
        EnsureRoom(1);
        return new Tensor(ne.Length switch
        {
            1 => GgmlOps.ggml_reshape_1d(Pointer, a.Ptr, ne[0]),
            2 => GgmlOps.ggml_reshape_2d(Pointer, a.Ptr, ne[0], ne[1]),
            3 => GgmlOps.ggml_reshape_3d(Pointer, a.Ptr, ne[0], ne[1], ne[2]),
            _ => GgmlOps.ggml_reshape_4d(Pointer, a.Ptr, ne[0], ne[1], ne[2], ne[3]),
        });
    }

    /// <summary>
    /// A strided view: <paramref name="ne"/> sizes, <paramref name="nbRest"/> byte strides of dims 1.. (nb[0] is the
    /// element size), starting <paramref name="offset"/> bytes into a. ggml sizes a view as if it were contiguous, so a
    /// view may not hold more elements than fit after its offset (no overlapping windows).
    /// </summary>
    public Tensor View(Tensor a, long[] ne, long[] nbRest, long offset)
    {
        Require(ne.Length is >= 1 and <= 4 && nbRest.Length == ne.Length - 1, "view", () => "1 to 4 sizes and one stride per dimension after the first");
        Require(ne.All(n => n > 0) && offset >= 0, "view", () => $"bad sizes [{string.Join(", ", ne)}] or offset {offset}");
        Require(!a.IsInt8Packed, "view", () => $"{S(a)} is packed for the integer product kernel: its bytes are not {a.Type} rows to view");
        var nb = new long[ne.Length];
        nb[0] = GgmlTypeSizes.BytesPerBlock(a.Type);
        for (var i = 1; i < ne.Length; i++) nb[i] = nbRest[i - 1];
        var extent = ViewExtent(a, ne, nb, offset);
        Require(extent <= a.ByteCount, "view",
            () => $"[{string.Join(", ", ne)}] at offset {offset} reaches byte {extent} of {S(a)} ({a.ByteCount} bytes)");
        var nominal = GgmlTypeSizes.RowBytes(a.Type, ne[0]) * ne.Skip(1).Aggregate(1L, (x, y) => x * y);
        Require(offset + nominal <= a.ByteCount, "view",
            () => $"[{string.Join(", ", ne)}] at offset {offset} holds {nominal} bytes, more than the {a.ByteCount - offset} left in {S(a)}");
        EnsureRoom(1);
        return new Tensor(ne.Length switch
        {
            1 => GgmlOps.ggml_view_1d(Pointer, a.Ptr, ne[0], (nuint)offset),
            2 => GgmlOps.ggml_view_2d(Pointer, a.Ptr, ne[0], ne[1], (nuint)nb[1], (nuint)offset),
            3 => GgmlOps.ggml_view_3d(Pointer, a.Ptr, ne[0], ne[1], ne[2], (nuint)nb[1], (nuint)nb[2], (nuint)offset),
            _ => GgmlOps.ggml_view_4d(Pointer, a.Ptr, ne[0], ne[1], ne[2], ne[3], (nuint)nb[1], (nuint)nb[2], (nuint)nb[3], (nuint)offset),
        });
    }

    /// <summary>Columns [from, from+count) of a matrix-like tensor along ne[1] (a contiguous view when a is contiguous).</summary>
    public Tensor SliceRows(Tensor a, long from, long count)
    {
        Require(from >= 0 && count > 0 && from + count <= a.Ne1, "slice", () => $"rows [{from}, {from + count}) outside {S(a)}");
        return View(a, [a.Ne0, count, a.Ne2, a.Ne3], [a.Nb(1), a.Nb(2), a.Nb(3)], from * a.Nb(1));
    }

    /// <summary>ggml_permute: source dim i goes to position axes[i].</summary>
    public Tensor Permute(Tensor a, int axis0, int axis1, int axis2, int axis3)
    {
        var axes = new[] { axis0, axis1, axis2, axis3 };
        Require(axes.OrderBy(x => x).SequenceEqual([0, 1, 2, 3]), "permute", () => $"({string.Join(", ", axes)}) is not a permutation of 0..3");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_permute(Pointer, a.Ptr, axis0, axis1, axis2, axis3));
    }

    /// <summary>Swaps ne[0] and ne[1] (a view; Cont it before ops that need contiguous rows).</summary>
    public Tensor Transpose(Tensor a) { EnsureRoom(1); return new Tensor(GgmlOps.ggml_transpose(Pointer, a.Ptr)); }

    /// <summary>Copies a into b (same element count) and returns the result aliasing b.</summary>
    public Tensor Copy(Tensor a, Tensor b)
    {
        Require(a.ElementCount == b.ElementCount, "cpy", () => $"{S(a)} and {S(b)} differ in element count");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_cpy(Pointer, a.Ptr, b.Ptr));
    }

    public Tensor Cast(Tensor a, GgmlType type)
    {
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_cast(Pointer, a.Ptr, (int)type));
    }

    /// <summary>Writes b into a at a byte offset in place; the result is a (ordered after earlier writes to a).</summary>
    public Tensor SetInPlace(Tensor a, Tensor b, long byteOffset)
    {
        Require(a.Type == b.Type && b.IsContiguous && a.IsContiguous, "set_1d", () => $"{S(b)} into {S(a)}: same type, contiguous");
        Require(byteOffset >= 0 && byteOffset + b.ByteCount <= a.ByteCount, "set_1d",
            () => $"{b.ByteCount} bytes at {byteOffset} do not fit in {S(a)}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_set_1d_inplace(Pointer, a.Ptr, b.Ptr, (nuint)byteOffset));
    }

    public Tensor Concat(Tensor a, Tensor b, int dim)
    {
        Require(dim is >= 0 and < 4, "concat", () => $"dimension {dim}");
        Require(a.Type == b.Type, "concat", () => $"{S(a)} and {S(b)} differ in type");
        for (var i = 0; i < 4; i++)
            if (i != dim) Require(a.Ne(i) == b.Ne(i), "concat", () => $"{S(a)} and {S(b)} differ outside dimension {dim}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_concat(Pointer, a.Ptr, b.Ptr, dim));
    }

    /// <summary>Zero padding before/after each dimension.</summary>
    public Tensor PadZeros(Tensor a, int before0, int after0, int before1 = 0, int after1 = 0, int before2 = 0, int after2 = 0)
    {
        RequireF32(a, "pad");
        Require(new[] { before0, after0, before1, after1, before2, after2 }.All(p => p >= 0), "pad", () => "negative padding");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_pad_ext(Pointer, a.Ptr, before0, after0, before1, after1, before2, after2, 0, 0));
    }

    /// <summary>Reflection padding along ne[0] ([a, b, c] with 1|1 -> [b, a, b, c, b]); each side shorter than ne[0].</summary>
    public Tensor PadReflect(Tensor a, int left, int right)
    {
        RequireF32(a, "pad_reflect_1d");
        RequireContiguous(a, "pad_reflect_1d");
        Require(left >= 0 && right >= 0 && left < a.Ne0 && right < a.Ne0, "pad_reflect_1d",
            () => $"padding {left}|{right} must be shorter than the {a.Ne0} samples of {S(a)}");
        EnsureRoom(1);
        return new Tensor(GgmlOps.ggml_pad_reflect_1d(Pointer, a.Ptr, left, right));
    }
}
