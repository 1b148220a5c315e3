namespace MusicGen.Assistant.Native;

/// <summary>Shorthands over <see cref="GgmlTypeInfo"/> that report problems as <see cref="GgmlException"/>.</summary>
public static class GgmlTypeSizes
{
    public static int BlockSize(GgmlType t) => GgmlTypeInfo.Get(t).BlockSize;

    public static int BytesPerBlock(GgmlType t) => GgmlTypeInfo.Get(t).BytesPerBlock;

    public static bool IsQuantized(GgmlType t) => GgmlTypeInfo.Get(t).IsQuantized;

    /// <summary>Bytes of one row of <paramref name="ne0"/> elements; throws when ne0 is not a whole number of blocks.</summary>
    public static long RowBytes(GgmlType t, long ne0)
    {
        var info = GgmlTypeInfo.Get(t);
        if (ne0 % info.BlockSize != 0)
            throw new GgmlException($"a row of {ne0} elements is not a multiple of the {info.Name} block size {info.BlockSize}");
        return ne0 / info.BlockSize * info.BytesPerBlock;
    }
}
