using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>
/// A memory-mapped, fully validated safetensors file: 8-byte little-endian header length N, N bytes of JSON
/// header, then the data section that the header's data_offsets index into.
/// </summary>
/// <remarks>
/// Spans returned by <see cref="GetBytes(string)"/> point into the mapping and are valid until <see cref="Dispose"/>.
/// The object is safe for concurrent reads.
/// </remarks>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Headers above this size are rejected as corrupt rather than parsed.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MappedFile _file;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsFile(MappedFile file, SafetensorsHeader header, long dataOffset)
    {
        _file = file;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        DataOffset = dataOffset;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path => _file.Path;

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The header's "__metadata__" entries (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Absolute offset of the data section (8 + header length).</summary>
    public long DataOffset { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long FileLength => _file.Length;

    /// <summary>Maps and validates <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    public static unsafe SafetensorsFile Open(string path)
    {
        MappedFile file = MappedFile.Open(path, "safetensors file");
        try
        {
            if (file.Length < 8)
            {
                throw new SafetensorsFormatException(file.Path, null,
                    $"file is only {file.Length} bytes; a safetensors file starts with an 8-byte header length.");
            }
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(file.Pointer, 8));
            if (headerLength > MaxHeaderBytes)
            {
                throw new SafetensorsFormatException(file.Path, null,
                    $"header length {headerLength} is absurd (limit {MaxHeaderBytes} bytes): corrupt or not a safetensors file.");
            }
            if ((long)headerLength > file.Length - 8)
            {
                throw new SafetensorsFormatException(file.Path, null,
                    $"header length {headerLength} exceeds the {file.Length - 8} bytes that follow it: " +
                    "the file is truncated or not a safetensors file.");
            }

            long dataOffset = 8 + (long)headerLength;
            ReadOnlySpan<byte> json = file.Slice(8, (long)headerLength, "the header");
            SafetensorsHeader header = SafetensorsHeaderParser.Parse(file.Path, json, dataOffset, file.Length);
            return new SafetensorsFile(file, header, dataOffset);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out SafetensorsTensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    public SafetensorsTensorInfo Get(string name)
    {
        if (_byName.TryGetValue(name, out SafetensorsTensorInfo? info))
        {
            return info;
        }
        throw new KeyNotFoundException(
            $"Tensor '{name}' is not in safetensors file '{Path}' ({Tensors.Count} tensors)." +
            NameSuggestions.Describe(name, _byName.Keys));
    }

    /// <summary>The tensor's raw little-endian bytes, as a view into the mapping (no copy).</summary>
    public ReadOnlySpan<byte> GetBytes(string name) => GetBytes(Get(name));

    /// <summary>The raw bytes of a tensor of this file (no copy).</summary>
    public ReadOnlySpan<byte> GetBytes(SafetensorsTensorInfo tensor)
    {
        if (!_byName.TryGetValue(tensor.Name, out SafetensorsTensorInfo? own) || !ReferenceEquals(own, tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to safetensors file '{Path}'.", nameof(tensor));
        }
        return _file.Slice(tensor.ByteOffset, tensor.ByteLength, $"Tensor '{tensor.Name}'");
    }

    /// <summary>The tensor as float32 (F32 copied; F16, BF16 widened; F64 rounded).</summary>
    public float[] ReadFloat32(string name)
    {
        SafetensorsTensorInfo tensor = Get(name);
        var values = new float[CheckedArrayLength(tensor)];
        ReadFloat32(tensor, values);
        return values;
    }

    /// <summary>Converts the tensor into <paramref name="destination"/>, which must hold exactly its element count.</summary>
    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(Get(name), destination);

    private void ReadFloat32(SafetensorsTensorInfo tensor, Span<float> destination)
    {
        CheckDestination(tensor, destination.Length);
        ReadOnlySpan<byte> bytes = GetBytes(tensor);
        switch (tensor.DType)
        {
            case SafetensorsDType.F32: FloatConversion.Float32(bytes, destination); break;
            case SafetensorsDType.F16: FloatConversion.Float16(bytes, destination); break;
            case SafetensorsDType.BF16: FloatConversion.BFloat16(bytes, destination); break;
            case SafetensorsDType.F64: FloatConversion.Float64(bytes, destination); break;
            default:
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}' in '{Path}' has dtype {tensor.DType}; ReadFloat32 reads F32, F16, BF16 and F64.");
        }
    }

    /// <summary>The tensor as int64 (I64 copied; narrower integer and BOOL dtypes widened exactly).</summary>
    public long[] ReadInt64(string name)
    {
        SafetensorsTensorInfo tensor = Get(name);
        var values = new long[CheckedArrayLength(tensor)];
        ReadInt64(tensor, values);
        return values;
    }

    /// <summary>Converts the tensor into <paramref name="destination"/>, which must hold exactly its element count.</summary>
    public void ReadInt64(string name, Span<long> destination) => ReadInt64(Get(name), destination);

    private void ReadInt64(SafetensorsTensorInfo tensor, Span<long> destination)
    {
        CheckDestination(tensor, destination.Length);
        ReadOnlySpan<byte> bytes = GetBytes(tensor);
        switch (tensor.DType)
        {
            case SafetensorsDType.I64: MemoryMarshal.Cast<byte, long>(bytes).CopyTo(destination); break;
            case SafetensorsDType.I32: Widen(MemoryMarshal.Cast<byte, int>(bytes), destination); break;
            case SafetensorsDType.U32: Widen(MemoryMarshal.Cast<byte, uint>(bytes), destination); break;
            case SafetensorsDType.I16: Widen(MemoryMarshal.Cast<byte, short>(bytes), destination); break;
            case SafetensorsDType.U16: Widen(MemoryMarshal.Cast<byte, ushort>(bytes), destination); break;
            case SafetensorsDType.I8: Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), destination); break;
            case SafetensorsDType.U8:
            case SafetensorsDType.BOOL: Widen(bytes, destination); break;
            default:
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}' in '{Path}' has dtype {tensor.DType}; ReadInt64 reads I64, I32, U32, I16, U16, I8, U8 and BOOL.");
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> source, Span<long> destination)
        where T : System.Numerics.IBinaryInteger<T>
    {
        // Every source type here is at most 32 bits wide, so the conversion is exact.
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = long.CreateTruncating(source[i]);
        }
    }

    private void CheckDestination(SafetensorsTensorInfo tensor, int length)
    {
        if (length != tensor.ElementCount)
        {
            throw new ArgumentException(
                $"Destination holds {length} elements but tensor '{tensor.Name}' in '{Path}' has {tensor.ElementCount} " +
                $"(shape [{string.Join(", ", tensor.Shape)}]).", "destination");
        }
    }

    private int CheckedArrayLength(SafetensorsTensorInfo tensor) =>
        tensor.ElementCount <= Array.MaxLength
            ? (int)tensor.ElementCount
            : throw new NotSupportedException(
                $"Tensor '{tensor.Name}' in '{Path}' has {tensor.ElementCount} elements, more than one array can hold.");

    public void Dispose() => _file.Dispose();
}
