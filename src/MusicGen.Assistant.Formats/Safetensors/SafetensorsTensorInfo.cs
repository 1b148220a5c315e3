namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>One tensor entry of a safetensors header, with its position resolved to absolute file offsets.</summary>
public sealed class SafetensorsTensorInfo
{
    public SafetensorsTensorInfo(string name, SafetensorsDType dtype, long[] shape, long byteOffset, long byteLength, long elementCount)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ByteOffset = byteOffset;
        ByteLength = byteLength;
        ElementCount = elementCount;
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

    /// <summary>Dimensions in PyTorch order (slowest first); empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Absolute offset of the first data byte in the file.</summary>
    public long ByteOffset { get; }

    public long ByteLength { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    public override string ToString() => $"{Name} {DType} [{string.Join(", ", Shape)}] @{ByteOffset}+{ByteLength}";
}
