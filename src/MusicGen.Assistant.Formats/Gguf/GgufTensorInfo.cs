using MusicGen.Assistant.Native;
namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>One tensor of a GGUF file: ggml type, dimensions (ne[0] fastest) and where its bytes lie.</summary>
public sealed class GgufTensorInfo
{
    public GgufTensorInfo(string name, GgmlType type, long[] ne, long offset, long relativeOffset, long byteLength)
    {
        Name = name;
        Type = type;
        Ne = ne;
        Offset = offset;
        RelativeOffset = relativeOffset;
        ByteLength = byteLength;
        long count = 1;
        foreach (long n in ne)
        {
            count *= n;
        }
        ElementCount = count;
    }

    public string Name { get; }

    public GgmlType Type { get; }

    public GgmlTypeInfo TypeInfo => GgmlTypeInfo.Get(Type);

    /// <summary>Dimensions in ggml order: ne[0] is the fastest-varying (a PyTorch [out, in] weight has ne = {in, out}).</summary>
    public long[] Ne { get; }

    /// <summary>Absolute file offset of the first data byte.</summary>
    public long Offset { get; }

    /// <summary>Offset within the data section, as stored in the file.</summary>
    public long RelativeOffset { get; }

    public long ByteLength { get; }

    public long ElementCount { get; }

    public override string ToString() => $"{Name} {TypeInfo.Name} [{string.Join(", ", Ne)}] @{Offset}+{ByteLength}";
}
