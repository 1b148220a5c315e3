using System.Text.Json;

namespace MusicGen.Assistant.Training.Data;

/// <summary>One object of a dataset file, read field by field; every failure names the file, the entry and the field.</summary>
internal readonly struct JsonEntry(string file, int index, JsonElement element, string prefix = "")
{
    public string File => file;
    public int Index => index;

    public static JsonEntry Of(string file, int index, JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new DatasetFormatException(file, $"must be an object ({what}), not a {JsonDatasetFile.Kind(element)}", index);
        return new JsonEntry(file, index, element);
    }

    public DatasetFormatException Error(string field, string problem) => new(file, problem, index, prefix + field);

    public bool Has(string field) => element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A required, non-blank string.</summary>
    public string String(string field)
    {
        if (!element.TryGetProperty(field, out var v)) throw Error(field, "is missing");
        return StringValue(field, v);
    }

    /// <summary>A string field that may be absent or null (blank strings are refused).</summary>
    public string? OptionalString(string field) =>
        element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? StringValue(field, v) : null;

    /// <summary>A string field that may be absent, null or empty (Alpaca's "input").</summary>
    public string StringOrEmpty(string field)
    {
        if (!element.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return "";
        if (v.ValueKind != JsonValueKind.String) throw Error(field, $"must be a string, not a {JsonDatasetFile.Kind(v)}");
        return v.GetString()!;
    }

    /// <summary>A required non-empty list, each element passed to <paramref name="read"/> as a nested entry.</summary>
    public IReadOnlyList<T> List<T>(string field, Func<JsonEntry, T> read)
    {
        if (!element.TryGetProperty(field, out var v)) throw Error(field, "is missing");
        if (v.ValueKind != JsonValueKind.Array) throw Error(field, $"must be a list, not a {JsonDatasetFile.Kind(v)}");
        if (v.GetArrayLength() == 0) throw Error(field, "is an empty list");
        var result = new List<T>(v.GetArrayLength());
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var path = $"{prefix}{field}[{i}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw new DatasetFormatException(file, $"must be an object, not a {JsonDatasetFile.Kind(item)}", index, path);
            result.Add(read(new JsonEntry(file, index, item, path + ".")));
            i++;
        }
        return result;
    }

    private string StringValue(string field, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.String) throw Error(field, $"must be a string, not a {JsonDatasetFile.Kind(v)}");
        var s = v.GetString()!;
        if (string.IsNullOrWhiteSpace(s)) throw Error(field, "is empty");
        return s;
    }
}
