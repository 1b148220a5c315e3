namespace MusicGen.Assistant.Native;

// Operand checks mirroring the GGML_ASSERTs of the ops we call, so a wrong shape is a .NET exception, not an abort.
public sealed partial class GgmlContext
{
    private static void Require(bool condition, string op, Func<string> why)
    {
        if (!condition) throw new GgmlException($"{op}: {why()}");
    }

    private static string S(Tensor t) => $"'{t.Name}' {t.ShapeText}";

    private static bool CanRepeat(Tensor small, Tensor big)
    {
        for (var i = 0; i < 4; i++)
            if (small.Ne(i) == 0 || big.Ne(i) % small.Ne(i) != 0) return false;
        return true;
    }

    private static bool IsFloat(Tensor t) => t.Type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;

    private static bool RowsContiguous(Tensor t) =>
        t.Nb(0) == GgmlTypeSizes.BytesPerBlock(t.Type) && t.Nb(2) == t.Nb(1) * t.Ne1 && t.Nb(3) == t.Nb(2) * t.Ne2;

    private static void RequireF32(Tensor t, string op) =>
        Require(t.Type == GgmlType.F32, op, () => $"{S(t)} must be F32");

    private static void RequireContiguous(Tensor t, string op) =>
        Require(t.IsContiguous, op, () => $"{S(t)} must be contiguous (use Cont first)");

    /// <summary>Last byte touched by a view with these sizes and strides, plus one.</summary>
    private static long ViewExtent(Tensor a, long[] ne, long[] nb, long offset)
    {
        var elem = GgmlTypeSizes.BytesPerBlock(a.Type);
        var end = offset + GgmlTypeSizes.RowBytes(a.Type, ne[0]) - elem;
        for (var i = 1; i < ne.Length; i++) end += (ne[i] - 1) * nb[i];
        return end + elem;
    }
}
