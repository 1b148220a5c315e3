using MusicGen.Assistant.Native;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>
/// A memory-mapped, validated GGUF (version 3) file: typed metadata and tensor views without copies.
/// </summary>
/// <remarks>
/// Spans returned by <see cref="GetTensorBytes(string)"/> point into the mapping and are valid until
/// <see cref="Dispose"/>. The object is safe for concurrent reads.
/// </remarks>
public sealed class GgufFile : IDisposable
{
    private readonly MappedFile _file;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    private GgufFile(MappedFile file, GgufHeader header)
    {
        _file = file;
        Version = header.Version;
        Alignment = header.Alignment;
        DataOffset = header.DataOffset;
        Metadata = header.Metadata;
        Tensors = header.Tensors;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path => _file.Path;

    public uint Version { get; }

    /// <summary>Alignment of tensor data ("general.alignment", default 32).</summary>
    public uint Alignment { get; }

    /// <summary>Absolute offset of the data section.</summary>
    public long DataOffset { get; }

    public long FileLength => _file.Length;

    /// <summary>Key/value metadata in file order.</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Maps and validates <paramref name="path"/>.</summary>
    /// <exception cref="GgufFormatException">The file is not a valid GGUF version 3 file.</exception>
    public static GgufFile Open(string path)
    {
        MappedFile file = MappedFile.Open(path, "GGUF file");
        try
        {
            return new GgufFile(file, GgufHeaderReader.Read(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool ContainsTensor(string name) => _byName.ContainsKey(name);

    public bool TryGetTensor(string name, out GgufTensorInfo tensor) => _byName.TryGetValue(name, out tensor!);

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    public GgufTensorInfo GetTensor(string name)
    {
        if (_byName.TryGetValue(name, out GgufTensorInfo? tensor))
        {
            return tensor;
        }
        throw new KeyNotFoundException(
            $"Tensor '{name}' is not in GGUF file '{Path}' ({Tensors.Count} tensors)." + NameSuggestions.Describe(name, _byName.Keys));
    }

    /// <summary>The tensor's raw bytes as stored (ggml layout), as a view into the mapping.</summary>
    public ReadOnlySpan<byte> GetTensorBytes(string name) => GetTensorBytes(GetTensor(name));

    public ReadOnlySpan<byte> GetTensorBytes(GgufTensorInfo tensor)
    {
        if (!_byName.TryGetValue(tensor.Name, out GgufTensorInfo? own) || !ReferenceEquals(own, tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to GGUF file '{Path}'.", nameof(tensor));
        }
        return _file.Slice(tensor.Offset, tensor.ByteLength, $"Tensor '{tensor.Name}'");
    }

    /// <summary>
    /// Lets the pages of <paramref name="tensor"/>'s data leave this process's resident memory once its bytes have been
    /// copied elsewhere (a backend buffer); reading it again later still works (the file is mapped read-only).
    /// </summary>
    public void ReleaseTensorPages(GgufTensorInfo tensor)
    {
        if (!_byName.TryGetValue(tensor.Name, out GgufTensorInfo? own) || !ReferenceEquals(own, tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to GGUF file '{Path}'.", nameof(tensor));
        }
        _file.ReleasePages(tensor.Offset, tensor.ByteLength);
    }

    /// <summary>An f32, f16, bf16 or f64 tensor as float32, in ggml element order (ne[0] fastest).</summary>
    public float[] ReadFloat32(string name)
    {
        GgufTensorInfo tensor = GetTensor(name);
        if (tensor.ElementCount > Array.MaxLength)
        {
            throw new NotSupportedException($"Tensor '{name}' in '{Path}' has {tensor.ElementCount} elements, more than one array can hold.");
        }
        var values = new float[tensor.ElementCount];
        ReadFloat32(tensor, values);
        return values;
    }

    /// <summary>Converts the tensor into <paramref name="destination"/>, which must hold exactly its element count.</summary>
    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(GetTensor(name), destination);

    private void ReadFloat32(GgufTensorInfo tensor, Span<float> destination)
    {
        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException(
                $"Destination holds {destination.Length} elements but tensor '{tensor.Name}' in '{Path}' has {tensor.ElementCount}.",
                nameof(destination));
        }
        ReadOnlySpan<byte> bytes = GetTensorBytes(tensor);
        switch (tensor.Type)
        {
            case GgmlType.F32: FloatConversion.Float32(bytes, destination); break;
            case GgmlType.F16: FloatConversion.Float16(bytes, destination); break;
            case GgmlType.BF16: FloatConversion.BFloat16(bytes, destination); break;
            case GgmlType.F64: FloatConversion.Float64(bytes, destination); break;
            default:
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}' in '{Path}' has type {tensor.TypeInfo.Name}; ReadFloat32 reads f32, f16, bf16 and f64 " +
                    "(quantized data is not dequantized here).");
        }
    }

    public void Dispose() => _file.Dispose();
}
