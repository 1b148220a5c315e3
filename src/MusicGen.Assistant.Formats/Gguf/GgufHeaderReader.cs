using MusicGen.Assistant.Native;
using System.Runtime.CompilerServices;
using System.Text;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>Everything before a GGUF file's data section, validated against the file size.</summary>
internal sealed record GgufHeader(
    uint Version, uint Alignment, long DataOffset, GgufMetadata Metadata, IReadOnlyList<GgufTensorInfo> Tensors);

/// <summary>
/// Bounds-checked parser of the GGUF header (magic, version, counts, key/value pairs, tensor infos).
/// Every read is checked against the file length before it happens, so corrupt counts and lengths
/// become <see cref="GgufFormatException"/>s rather than huge allocations or reads past the mapping.
/// </summary>
internal sealed unsafe class GgufHeaderReader
{
    private const long MinKeyValueBytes = 8 + 4 + 1;          // key length, value type, smallest value
    private const long MinTensorInfoBytes = 8 + 4 + 8 + 4 + 8; // name length, n_dims, ne[0], type, offset
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _path;
    private readonly byte* _base;
    private readonly long _length;
    private long _position;

    private GgufHeaderReader(MappedFile file)
    {
        _path = file.Path;
        _base = file.Pointer;
        _length = file.Length;
    }

    public static GgufHeader Read(MappedFile file) => new GgufHeaderReader(file).ReadHeader();

    private GgufHeader ReadHeader()
    {
        if (_length < 4)
        {
            throw Error(null, $"file is only {_length} bytes, too short for the GGUF magic.");
        }
        uint magic = ReadU32("the magic");
        if (magic != GgufConstants.Magic)
        {
            string text = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(_base, 4)).Replace('\0', '.');
            throw Error(null, $"bad magic 0x{magic:X8} ('{text}'): not a GGUF file (expected 'GGUF').");
        }
        uint version = ReadU32("the version");
        if (version != GgufConstants.Version)
        {
            string problem = version switch
            {
                1 or 2 => $"GGUF version {version} is not supported; only version 3 is (re-convert the model with a current converter).",
                0x03000000 => "the file is a big-endian GGUF, which is not supported.",
                _ => $"unknown GGUF version {version}; only version 3 is supported.",
            };
            throw Error(null, problem);
        }

        long tensorCount = ReadCount("tensor_count", MinTensorInfoBytes);
        long kvCount = ReadCount("kv_count", MinKeyValueBytes);

        var metadata = new GgufMetadata(_path);
        for (long i = 0; i < kvCount; i++)
        {
            string key = ReadString($"metadata key #{i}");
            string subject = GgufFormatException.Key(key);
            if (metadata.ContainsKey(key))
            {
                throw Error(subject, "appears more than once.");
            }
            GgufValueType type = ReadValueType(subject, "value type");
            metadata.TryAdd(key, ReadValue(type, subject, depth: 0));
        }

        uint alignment = ReadAlignment(metadata);
        var tensors = new List<(string Name, GgmlType Type, long[] Ne, long Offset, long Bytes)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            tensors.Add(ReadTensorInfo(i, alignment, names));
        }

        long dataOffset = AlignUp(_position, alignment);
        var infos = new List<GgufTensorInfo>(tensors.Count);
        foreach (var (name, type, ne, offset, bytes) in tensors)
        {
            // offset and bytes are both below the file length here, so the sums cannot overflow.
            if (offset > _length || dataOffset + offset > _length - bytes)
            {
                throw Error(GgufFormatException.Tensor(name),
                    $"file is truncated: the data [{dataOffset + offset}, {dataOffset + offset + bytes}) " +
                    $"ends past the end of the file ({_length} bytes).");
            }
            infos.Add(new GgufTensorInfo(name, type, ne, dataOffset + offset, offset, bytes));
        }
        CheckNoOverlap(infos);
        return new GgufHeader(version, alignment, dataOffset, metadata, infos);
    }

    private long ReadCount(string what, long minBytesEach)
    {
        ulong count = ReadU64(what);
        long remaining = _length - _position;
        if (count > (ulong)(remaining / minBytesEach))
        {
            throw Error(null, $"{what} {count} is absurd: {count} entries cannot fit in the remaining {remaining} bytes.");
        }
        return (long)count;
    }

    private uint ReadAlignment(GgufMetadata metadata)
    {
        if (!metadata.TryGet(GgufConstants.AlignmentKey, out GgufValue value))
        {
            return GgufConstants.DefaultAlignment;
        }
        string subject = GgufFormatException.Key(GgufConstants.AlignmentKey);
        if (value.Type != GgufValueType.UINT32)
        {
            throw Error(subject, $"has type {value.Type}, expected UINT32.");
        }
        uint alignment = value.AsUInt32();
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw Error(subject, $"alignment {alignment} is not a power of two.");
        }
        return alignment;
    }

    private (string, GgmlType, long[], long, long) ReadTensorInfo(long index, uint alignment, HashSet<string> names)
    {
        string name = ReadString($"tensor #{index} name");
        string subject = GgufFormatException.Tensor(name);
        int nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes > GgufConstants.MaxTensorNameBytes)
        {
            throw Error(subject, $"name is {nameBytes} bytes; ggml allows at most {GgufConstants.MaxTensorNameBytes}.");
        }
        if (!names.Add(name))
        {
            throw Error(subject, "appears more than once.");
        }

        uint dims = ReadU32(subject + " n_dims");
        if (dims is 0 or > GgufConstants.MaxDimensions)
        {
            throw Error(subject, $"n_dims {dims} is out of range 1..{GgufConstants.MaxDimensions}.");
        }
        var ne = new long[dims];
        for (int d = 0; d < dims; d++)
        {
            ulong n = ReadU64($"{subject} ne[{d}]");
            ne[d] = n <= long.MaxValue ? (long)n : throw Error(subject, $"ne[{d}]={(long)n} is negative.");
        }

        uint typeId = ReadU32(subject + " type");
        if (!GgmlTypeInfo.TryGet(typeId, out GgmlTypeInfo typeInfo))
        {
            throw Error(subject, $"unknown ggml type id {typeId}.");
        }
        string? shapeProblem = typeInfo.CheckShape(ne, out long bytes);
        if (shapeProblem is not null)
        {
            throw Error(subject, shapeProblem + ".");
        }

        ulong offset = ReadU64(subject + " offset");
        if (offset % alignment != 0)
        {
            throw Error(subject, $"data offset {offset} is not a multiple of the alignment {alignment}.");
        }
        if (offset > (ulong)_length || bytes > _length)
        {
            throw Error(subject,
                $"file is truncated: the data (offset {offset} in the data section, {bytes} bytes) lies past the end of the file ({_length} bytes).");
        }
        return (name, typeInfo.Type, ne, (long)offset, bytes);
    }

    private void CheckNoOverlap(List<GgufTensorInfo> tensors)
    {
        GgufTensorInfo? previous = null;
        foreach (GgufTensorInfo tensor in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.Offset))
        {
            if (previous is not null && tensor.Offset < previous.Offset + previous.ByteLength)
            {
                throw Error(GgufFormatException.Tensor(tensor.Name),
                    $"data [{tensor.Offset}, {tensor.Offset + tensor.ByteLength}) overlaps tensor '{previous.Name}' " +
                    $"[{previous.Offset}, {previous.Offset + previous.ByteLength}).");
            }
            if (previous is null || tensor.Offset + tensor.ByteLength > previous.Offset + previous.ByteLength)
            {
                previous = tensor;
            }
        }
    }

    private GgufValueType ReadValueType(string subject, string what)
    {
        uint id = ReadU32($"{subject} {what}");
        return Enum.IsDefined((GgufValueType)id) ? (GgufValueType)id : throw Error(subject, $"unknown {what} {id}.");
    }

    private GgufValue ReadValue(GgufValueType type, string subject, int depth) => type switch
    {
        GgufValueType.UINT8 => Read<byte>(subject),
        GgufValueType.INT8 => Read<sbyte>(subject),
        GgufValueType.UINT16 => Read<ushort>(subject),
        GgufValueType.INT16 => Read<short>(subject),
        GgufValueType.UINT32 => Read<uint>(subject),
        GgufValueType.INT32 => Read<int>(subject),
        GgufValueType.FLOAT32 => Read<float>(subject),
        GgufValueType.BOOL => ReadBool(subject),
        GgufValueType.STRING => ReadString(subject),
        GgufValueType.ARRAY => ReadArray(subject, depth),
        GgufValueType.UINT64 => Read<ulong>(subject),
        GgufValueType.INT64 => Read<long>(subject),
        GgufValueType.FLOAT64 => Read<double>(subject),
        _ => throw Error(subject, $"unknown value type {(uint)type}."),
    };

    private GgufArray ReadArray(string subject, int depth)
    {
        if (depth >= GgufConstants.MaxArrayNesting)
        {
            throw Error(subject, $"arrays are nested more than {GgufConstants.MaxArrayNesting} deep.");
        }
        GgufValueType elementType = ReadValueType(subject, "array element type");
        ulong count = ReadU64(subject + " array length");
        long minBytes = elementType switch
        {
            GgufValueType.STRING => 8,
            GgufValueType.ARRAY => 12,
            _ => ElementSize(elementType),
        };
        long remaining = _length - _position;
        if (count > (ulong)(remaining / minBytes) || count > (ulong)Array.MaxLength)
        {
            throw Error(subject,
                $"file is truncated or corrupt: array of {count} {elementType} elements at offset {_position - 12} " +
                $"cannot fit in the remaining {remaining} bytes.");
        }

        Array items = GgufArray.CreateStorage(elementType, (int)count);
        switch (items)
        {
            case string[] strings:
                for (int i = 0; i < strings.Length; i++)
                {
                    strings[i] = ReadString($"{subject} element {i}");
                }
                break;
            case GgufArray[] arrays:
                for (int i = 0; i < arrays.Length; i++)
                {
                    arrays[i] = ReadArray($"{subject} element {i}", depth + 1);
                }
                break;
            case bool[] bools:
                for (int i = 0; i < bools.Length; i++)
                {
                    bools[i] = ReadBool($"{subject} element {i}");
                }
                break;
            default:
                CopyPrimitives(items, (long)count * minBytes);
                break;
        }
        return GgufArray.Wrap(elementType, items);
    }

    /// <summary>Bulk copy of little-endian numbers into their typed array (the size was checked by the caller).</summary>
    private void CopyPrimitives(Array items, long bytes)
    {
        if (bytes == 0)
        {
            return;
        }
        void* destination = Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(items));
        Buffer.MemoryCopy(_base + _position, destination, bytes, bytes);
        _position += bytes;
    }

    private static int ElementSize(GgufValueType type) => type switch
    {
        GgufValueType.UINT8 or GgufValueType.INT8 or GgufValueType.BOOL => 1,
        GgufValueType.UINT16 or GgufValueType.INT16 => 2,
        GgufValueType.UINT32 or GgufValueType.INT32 or GgufValueType.FLOAT32 => 4,
        _ => 8,
    };

    private bool ReadBool(string subject)
    {
        byte b = Read<byte>(subject);
        return b <= 1 ? b == 1 : throw Error(subject, $"BOOL byte at offset {_position - 1} is {b}, not 0 or 1.");
    }

    private string ReadString(string subject)
    {
        ulong length = ReadU64(subject + " string length");
        if (length > (ulong)(_length - _position) || length > int.MaxValue)
        {
            throw Error(subject,
                $"file is truncated or corrupt: string length {length} at offset {_position - 8} runs past the end of the file ({_length} bytes).");
        }
        try
        {
            string value = StrictUtf8.GetString(_base + _position, (int)length);
            _position += (long)length;
            return value;
        }
        catch (DecoderFallbackException e)
        {
            throw Error(subject, $"string at offset {_position} is not valid UTF-8.", e);
        }
    }

    private uint ReadU32(string what) => Read<uint>(what);

    private ulong ReadU64(string what) => Read<ulong>(what);

    private T Read<T>(string what) where T : unmanaged
    {
        if (sizeof(T) > _length - _position)
        {
            throw Error(null, $"file is truncated: {what} at offset {_position} needs {sizeof(T)} bytes but the file has only {_length}.");
        }
        T value = Unsafe.ReadUnaligned<T>(_base + _position);
        _position += sizeof(T);
        return value;
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    private GgufFormatException Error(string? subject, string problem, Exception? inner = null) =>
        new(_path, subject, problem, inner);
}
