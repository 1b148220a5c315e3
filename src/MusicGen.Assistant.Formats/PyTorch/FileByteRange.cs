namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>A byte range of a file: where a tensor's or a storage's data lies.</summary>
public readonly record struct FileByteRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
