using System.Text.Json;

namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>Parsed and validated safetensors header.</summary>
internal sealed record SafetensorsHeader(
    IReadOnlyList<SafetensorsTensorInfo> Tensors,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Turns the JSON header into tensor entries, checking every field against the format and the file size,
/// so that later reads can trust offsets without further checks.
/// </summary>
internal static class SafetensorsHeaderParser
{
    public const string MetadataKey = "__metadata__";

    /// <param name="path">File path, for messages.</param>
    /// <param name="json">The header bytes (UTF-8 JSON, possibly padded with spaces).</param>
    /// <param name="dataStart">Absolute offset of the data section (8 + header length).</param>
    /// <param name="fileLength">Size of the file in bytes.</param>
    public static SafetensorsHeader Parse(string path, ReadOnlySpan<byte> json, long dataStart, long fileLength)
    {
        using JsonDocument document = ParseJson(path, json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, null,
                $"the header must be a JSON object but is a JSON {Describe(root.ValueKind)}.");
        }

        var tensors = new List<SafetensorsTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new SafetensorsFormatException(path, property.Name, "the name appears more than once in the header.");
            }
            if (property.Name == MetadataKey)
            {
                ParseMetadata(path, property.Value, metadata);
                continue;
            }
            tensors.Add(ParseTensor(path, property.Name, property.Value, dataStart, fileLength));
        }

        CheckNoOverlap(path, tensors);
        return new SafetensorsHeader(tensors, metadata);
    }

    private static JsonDocument ParseJson(string path, ReadOnlySpan<byte> json)
    {
        // the JSON reader checks UTF-8 only when a string is read out; checked here, every name and value is valid
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            System.Text.Unicode.Utf8.ToUtf16(json, new char[json.Length], out int valid, out _, replaceInvalidSequences: false);
            throw new SafetensorsFormatException(path, null, $"the header is not valid UTF-8 (invalid byte 0x{json[valid]:X2} at header offset {valid}).");
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            JsonDocument document = JsonDocument.ParseValue(ref reader);
            try
            {
                // Only whitespace (the format's space padding) may follow the object; anything else throws here.
                reader.Read();
                return document;
            }
            catch
            {
                document.Dispose();
                throw;
            }
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null,
                $"the {json.Length}-byte header is not valid JSON ({e.Message}).", e);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, MetadataKey,
                $"must be a JSON object of strings but is a JSON {Describe(value.ValueKind)}.");
        }
        foreach (JsonProperty entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(path, MetadataKey,
                    $"value of '{entry.Name}' must be a string but is a JSON {Describe(entry.Value.ValueKind)}.");
            }
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
            {
                throw new SafetensorsFormatException(path, MetadataKey, $"key '{entry.Name}' appears more than once.");
            }
        }
    }

    private static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement value, long dataStart, long fileLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, name,
                $"entry must be a JSON object with dtype, shape and data_offsets but is a JSON {Describe(value.ValueKind)}.");
        }

        JsonElement dtypeElement = Require(path, name, value, "dtype");
        if (dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException(path, name,
                $"'dtype' must be a string but is a JSON {Describe(dtypeElement.ValueKind)}.");
        }
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypeExtensions.TryParse(dtypeName, out SafetensorsDType dtype))
        {
            throw new SafetensorsFormatException(path, name,
                $"unknown dtype '{dtypeName}' (known: {SafetensorsDTypeExtensions.KnownNames}).");
        }

        long[] shape = ReadIntegerArray(path, name, Require(path, name, value, "shape"), "shape", expectedLength: null);
        long[] offsets = ReadIntegerArray(path, name, Require(path, name, value, "data_offsets"), "data_offsets", expectedLength: 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end)
        {
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] begin after they end.");
        }

        long elementCount = 1;
        long expectedBytes;
        try
        {
            foreach (long dim in shape)
            {
                elementCount = checked(elementCount * dim);
            }
            expectedBytes = checked(elementCount * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name, $"shape [{string.Join(", ", shape)}] is too large to address.");
        }
        if (end - begin != expectedBytes)
        {
            throw new SafetensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] " +
                $"of {dtype} needs {elementCount} x {dtype.ElementSize()} = {expectedBytes} bytes.");
        }
        if (end > fileLength - dataStart)
        {
            throw new SafetensorsFormatException(path, name,
                $"file is truncated: the data ends at byte {end} of the data section (file offset {dataStart + end}) " +
                $"but the file has only {fileLength} bytes.");
        }

        return new SafetensorsTensorInfo(name, dtype, shape, dataStart + begin, end - begin, elementCount);
    }

    private static JsonElement Require(string path, string name, JsonElement entry, string field)
    {
        if (!entry.TryGetProperty(field, out JsonElement element))
        {
            throw new SafetensorsFormatException(path, name, $"entry has no '{field}' field.");
        }
        return element;
    }

    private static long[] ReadIntegerArray(string path, string name, JsonElement element, string field, int? expectedLength)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException(path, name,
                $"'{field}' must be an array of integers but is a JSON {Describe(element.ValueKind)}.");
        }
        int length = element.GetArrayLength();
        if (expectedLength is int expected && length != expected)
        {
            throw new SafetensorsFormatException(path, name, $"'{field}' must hold {expected} integers but holds {length}.");
        }
        var values = new long[length];
        int i = 0;
        foreach (JsonElement item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v))
            {
                throw new SafetensorsFormatException(path, name,
                    $"'{field}'[{i}] must be an integer but is {item.GetRawText()}.");
            }
            if (v < 0)
            {
                throw new SafetensorsFormatException(path, name, $"'{field}'[{i}] = {v} is negative.");
            }
            values[i++] = v;
        }
        return values;
    }

    /// <summary>Tensors must not share bytes; empty tensors occupy nothing and may sit anywhere.</summary>
    private static void CheckNoOverlap(string path, List<SafetensorsTensorInfo> tensors)
    {
        SafetensorsTensorInfo? previous = null;
        foreach (SafetensorsTensorInfo tensor in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.ByteOffset))
        {
            if (previous is not null && tensor.ByteOffset < previous.ByteOffset + previous.ByteLength)
            {
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"data [{tensor.ByteOffset}, {tensor.ByteOffset + tensor.ByteLength}) overlaps tensor '{previous.Name}' " +
                    $"[{previous.ByteOffset}, {previous.ByteOffset + previous.ByteLength}) (absolute file offsets).");
            }
            if (previous is null || tensor.ByteOffset + tensor.ByteLength > previous.ByteOffset + previous.ByteLength)
            {
                previous = tensor;
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
