using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>
/// Writes safetensors files the way the reference implementation lays them out: "__metadata__" first, tensors
/// sorted by name (ordinal) in the header and stored contiguously in that order, header padded with spaces so
/// the data section starts at a multiple of 8.
/// </summary>
public static class SafetensorsWriter
{
    /// <param name="path">Output file (overwritten).</param>
    /// <param name="tensors">Name, dtype, shape in PyTorch order, and raw little-endian bytes of each tensor.</param>
    /// <param name="metadata">Optional "__metadata__" string map.</param>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, a dimension is negative,
    /// or a tensor's byte count does not match its shape and dtype.</exception>
    public static void Write(
        string path,
        IEnumerable<(string Name, SafetensorsDType DType, long[] Shape, ReadOnlyMemory<byte> Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var sorted = tensors.ToList();
        Validate(path, sorted);
        sorted.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        byte[] header = BuildHeader(sorted, metadata);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        stream.Write(lengthBytes);
        stream.Write(header);
        foreach (var tensor in sorted)
        {
            stream.Write(tensor.Data.Span);
        }
    }

    private static void Validate(string path, List<(string Name, SafetensorsDType DType, long[] Shape, ReadOnlyMemory<byte> Data)> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, dtype, shape, data) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == SafetensorsHeaderParser.MetadataKey)
            {
                throw new ArgumentException($"Writing '{path}': tensor name '{name}' is empty or reserved.", nameof(tensors));
            }
            if (!names.Add(name))
            {
                throw new ArgumentException($"Writing '{path}': tensor '{name}' is given twice.", nameof(tensors));
            }
            long count = 1;
            foreach (long dim in shape)
            {
                if (dim < 0)
                {
                    throw new ArgumentException(
                        $"Writing '{path}': tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].", nameof(tensors));
                }
                count = checked(count * dim);
            }
            long expected = checked(count * dtype.ElementSize());
            if (data.Length != expected)
            {
                throw new ArgumentException(
                    $"Writing '{path}': tensor '{name}' has {data.Length} bytes but shape [{string.Join(", ", shape)}] " +
                    $"of {dtype} needs {expected}.", nameof(tensors));
            }
        }
    }

    private static byte[] BuildHeader(
        List<(string Name, SafetensorsDType DType, long[] Shape, ReadOnlyMemory<byte> Data)> sorted,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII tensor names readable; the output is still valid JSON.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeaderParser.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, dtype, shape, data) in sorted)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.HeaderName());
                json.WriteStartArray("shape");
                foreach (long dim in shape)
                {
                    json.WriteNumberValue(dim);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += data.Length;
            }
            json.WriteEndObject();
        }

        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}
