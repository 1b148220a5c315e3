using System.Runtime.InteropServices;
using System.Text;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>Little-endian encoding of GGUF strings and metadata values (the inverse of <see cref="GgufHeaderReader"/>).</summary>
internal static class GgufValueEncoder
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static GgufValueEncoder()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The GGUF writer assumes a little-endian host.");
        }
    }

    /// <summary>u64 byte length followed by the UTF-8 bytes (no terminator).</summary>
    public static void WriteString(BinaryWriter writer, string value)
    {
        byte[] bytes = StrictUtf8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>The value without its type tag (the tag precedes it in a key/value pair).</summary>
    public static void WriteValue(BinaryWriter writer, GgufValue value)
    {
        switch (value.Type)
        {
            case GgufValueType.UINT8: writer.Write(value.AsUInt8()); break;
            case GgufValueType.INT8: writer.Write(value.AsInt8()); break;
            case GgufValueType.UINT16: writer.Write(value.AsUInt16()); break;
            case GgufValueType.INT16: writer.Write(value.AsInt16()); break;
            case GgufValueType.UINT32: writer.Write(value.AsUInt32()); break;
            case GgufValueType.INT32: writer.Write(value.AsInt32()); break;
            case GgufValueType.FLOAT32: writer.Write(value.AsFloat32()); break;
            case GgufValueType.BOOL: writer.Write((byte)(value.AsBool() ? 1 : 0)); break;
            case GgufValueType.STRING: WriteString(writer, value.AsString()); break;
            case GgufValueType.ARRAY: WriteArray(writer, value.AsArray()); break;
            case GgufValueType.UINT64: writer.Write(value.AsUInt64()); break;
            case GgufValueType.INT64: writer.Write(value.AsInt64()); break;
            case GgufValueType.FLOAT64: writer.Write(value.AsFloat64()); break;
            default: throw new ArgumentOutOfRangeException(nameof(value), value.Type, "Unknown GGUF value type.");
        }
    }

    /// <summary>u32 element type, u64 count, then the elements; nested arrays repeat this layout per element.</summary>
    public static void WriteArray(BinaryWriter writer, GgufArray array)
    {
        writer.Write((uint)array.ElementType);
        writer.Write((ulong)array.Count);
        switch (array.Items)
        {
            case string[] strings:
                foreach (string s in strings)
                {
                    WriteString(writer, s);
                }
                break;
            case GgufArray[] arrays:
                foreach (GgufArray inner in arrays)
                {
                    WriteArray(writer, inner);
                }
                break;
            case bool[] bools:
                foreach (bool b in bools)
                {
                    writer.Write((byte)(b ? 1 : 0));
                }
                break;
            case byte[] v: writer.Write(v); break;
            case sbyte[] v: WriteRaw<sbyte>(writer, v); break;
            case ushort[] v: WriteRaw<ushort>(writer, v); break;
            case short[] v: WriteRaw<short>(writer, v); break;
            case uint[] v: WriteRaw<uint>(writer, v); break;
            case int[] v: WriteRaw<int>(writer, v); break;
            case float[] v: WriteRaw<float>(writer, v); break;
            case ulong[] v: WriteRaw<ulong>(writer, v); break;
            case long[] v: WriteRaw<long>(writer, v); break;
            case double[] v: WriteRaw<double>(writer, v); break;
            default: throw new InvalidOperationException("Unreachable: unknown array storage.");
        }
    }

    private static void WriteRaw<T>(BinaryWriter writer, T[] values) where T : unmanaged =>
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="value"/> could not be read back: a string that is
    /// not encodable as UTF-8 (a lone surrogate) or arrays nested deeper than the reader accepts. Checked at
    /// SetMetadata so the problem does not surface midway through writing a file.
    /// </summary>
    public static void Validate(GgufValue value, string key)
    {
        try
        {
            if (value.Type == GgufValueType.STRING)
            {
                StrictUtf8.GetByteCount(value.AsString());
            }
            else if (value.Type == GgufValueType.ARRAY)
            {
                ValidateArray(value.AsArray(), key, depth: 0);
            }
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"Metadata key '{key}' holds a string that is not valid UTF-8 ({e.Message}).", nameof(value), e);
        }
    }

    private static void ValidateArray(GgufArray array, string key, int depth)
    {
        if (depth >= GgufConstants.MaxArrayNesting)
        {
            throw new ArgumentException(
                $"Metadata key '{key}' nests arrays more than {GgufConstants.MaxArrayNesting} deep.", "value");
        }
        if (array.Items is string[] strings)
        {
            foreach (string s in strings)
            {
                StrictUtf8.GetByteCount(s);
            }
        }
        else if (array.Items is GgufArray[] arrays)
        {
            foreach (GgufArray inner in arrays)
            {
                ValidateArray(inner, key, depth + 1);
            }
        }
    }
}
