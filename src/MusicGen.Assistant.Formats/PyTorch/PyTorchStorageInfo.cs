using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>One storage of a torch.save archive: the zip entry "&lt;archive&gt;/data/&lt;key&gt;" holding its raw little-endian elements.</summary>
public sealed class PyTorchStorageInfo
{
    internal PyTorchStorageInfo(string key, string entryName, string typeName, SafetensorsDType dtype, long elementCount, string location)
    {
        Key = key;
        EntryName = entryName;
        TypeName = typeName;
        DType = dtype;
        ElementCount = elementCount;
        Location = location;
    }

    /// <summary>The persistent-id key ("0", "1", ...).</summary>
    public string Key { get; }

    /// <summary>The zip entry that holds the bytes.</summary>
    public string EntryName { get; }

    /// <summary>The storage class named in the pickle, e.g. "torch.HalfStorage".</summary>
    public string TypeName { get; }

    public SafetensorsDType DType { get; }

    public long ElementCount { get; }

    /// <summary>The device it was saved from ("cpu", "cuda:0"); the bytes are the same either way.</summary>
    public string Location { get; }

    public long ByteLength => ElementCount * DType.ElementSize();

    public override string ToString() => $"storage '{Key}' ({TypeName}, {ElementCount} elements, {Location})";
}
