namespace MusicGen.Assistant.Native;

/// <summary>ggml tensor element types used by this project (ids of ggml 0.25.1; checked at load).</summary>
public enum GgmlType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 8,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
}

/// <summary>Block geometry of the types above (elements per block, bytes per block).</summary>
public static class GgmlTypeSizes
{
    public static int BlockSize(GgmlType t) => t is GgmlType.Q4_0 or GgmlType.Q8_0 ? 32 : 1;

    public static int BytesPerBlock(GgmlType t) => t switch
    {
        GgmlType.F32 or GgmlType.I32 => 4,
        GgmlType.F16 or GgmlType.BF16 or GgmlType.I16 => 2,
        GgmlType.I8 => 1,
        GgmlType.I64 or GgmlType.F64 => 8,
        GgmlType.Q4_0 => 18,
        GgmlType.Q8_0 => 34,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown ggml type"),
    };

    /// <summary>Bytes of one row of <paramref name="ne0"/> elements; throws when ne0 is not a whole number of blocks.</summary>
    public static long RowBytes(GgmlType t, long ne0)
    {
        var bs = BlockSize(t);
        if (ne0 % bs != 0) throw new GgmlException($"a row of {ne0} elements is not a multiple of the {t} block size {bs}");
        return ne0 / bs * BytesPerBlock(t);
    }

    public static bool IsQuantized(GgmlType t) => t is GgmlType.Q4_0 or GgmlType.Q8_0;
}
