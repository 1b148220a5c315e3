namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>One member of a zip archive as its central directory describes it (sizes and offset already widened by zip64).</summary>
internal sealed record ZipEntry(
    string Name,
    int Index,
    ushort Flags,
    ushort Method,
    uint Crc32,
    long CompressedSize,
    long UncompressedSize,
    long LocalHeaderOffset)
{
    /// <summary>Compression method 0: the bytes are stored as they are, so they can be read in place.</summary>
    public bool IsStored => Method == 0;

    /// <summary>Flag bit 0: the entry is encrypted.</summary>
    public bool IsEncrypted => (Flags & 1) != 0;
}
