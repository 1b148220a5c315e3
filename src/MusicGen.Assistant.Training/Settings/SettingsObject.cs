using System.Globalization;
using System.Text.Json;

namespace MusicGen.Assistant.Training.Settings;

/// <summary>
/// One JSON object of a settings file, read with types and ranges checked: every failure names the file and the field
/// path, and fields nobody reads are reported (a misspelt setting must not be silently ignored).
/// </summary>
public sealed class SettingsObject
{
    private readonly JsonElement _e;
    private readonly HashSet<string> _read = [];

    private SettingsObject(string file, string path, JsonElement e)
    {
        File = file;
        Path = path;
        _e = e;
    }

    public string File { get; }
    public string Path { get; }

    /// <summary>Folder of the settings file: relative paths inside it resolve from here.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(File))!;

    public static SettingsObject Load(string file)
    {
        if (!System.IO.File.Exists(file)) throw new SettingsException(file, null, System.IO.Directory.Exists(file) ? "is a folder, not a settings file" : "does not exist");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 }); }
        catch (JsonException e) { throw new SettingsException(file, null, $"is not valid JSON at line {e.LineNumber + 1}: {e.Message}", e); }
        catch (ArgumentException e) { throw new SettingsException(file, null, $"is not valid UTF-8 JSON: {e.Message}", e); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new SettingsException(file, null, "must hold one JSON object");
        return new SettingsObject(file, "", doc.RootElement.Clone());
    }

    public SettingsException Error(string field, string problem) => new(File, Path + field, problem);

    public bool Has(string field) => _e.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>Whether the field holds a JSON object (rather than a string, number, ...).</summary>
    public bool IsObject(string field) => _e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Object;

    private bool TryGet(string field, out JsonElement v)
    {
        _read.Add(field);
        return _e.TryGetProperty(field, out v) && v.ValueKind != JsonValueKind.Null;
    }

    public string String(string field, string? fallback = null)
    {
        if (!TryGet(field, out var v)) return fallback ?? throw Error(field, "is missing");
        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())) throw Error(field, "must be a non-empty string");
        return v.GetString()!;
    }

    public string? OptionalString(string field) => Has(field) ? String(field) : Touch(field);

    /// <summary>A path: absolute, or relative to the settings file's folder.</summary>
    public string PathValue(string field, string? fallback = null)
    {
        var value = Has(field) || fallback is null ? String(field) : Touch(field) ?? fallback;
        return System.IO.Path.IsPathRooted(value) ? value : System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, value));
    }

    public string? OptionalPath(string field) => Has(field) ? PathValue(field) : Touch(field);

    public double Double(string field, double? fallback, double min, double max)
    {
        if (!TryGet(field, out var v)) return fallback ?? throw Error(field, "is missing");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d)) throw Error(field, "must be a number");
        if (d < min || d > max) throw Error(field, $"is {d.ToString(CultureInfo.InvariantCulture)}; it must lie in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return d;
    }

    public int Int(string field, int? fallback, int min, int max)
    {
        if (!TryGet(field, out var v)) return fallback ?? throw Error(field, "is missing");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var l)) throw Error(field, "must be a whole number");
        if (l < min || l > max) throw Error(field, $"is {l}; it must lie in [{min}, {max}]");
        return (int)l;
    }

    public ulong Seed(string field, ulong? fallback)
    {
        if (!TryGet(field, out var v)) return fallback ?? throw Error(field, "is missing");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetUInt64(out var s)) throw Error(field, "must be a whole number >= 0");
        return s;
    }

    public bool Bool(string field, bool fallback)
    {
        if (!TryGet(field, out var v)) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, "must be true or false"),
        };
    }

    public T Enum<T>(string field, T fallback) where T : struct, System.Enum
    {
        if (!TryGet(field, out _)) return fallback;
        var text = String(field);
        foreach (var value in System.Enum.GetValues<T>())
            if (string.Equals(value.ToString(), text.Replace("-", "").Replace("_", ""), StringComparison.OrdinalIgnoreCase)) return value;
        throw Error(field, $"is '{text}'; one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
    }

    public SettingsObject? Object(string field)
    {
        if (!TryGet(field, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Object) throw Error(field, "must be an object");
        return new SettingsObject(File, Path + field + ".", v);
    }

    public IReadOnlyList<SettingsObject> Objects(string field)
    {
        if (!TryGet(field, out var v)) return [];
        if (v.ValueKind != JsonValueKind.Array) throw Error(field, "must be a list of objects");
        var list = new List<SettingsObject>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new SettingsException(File, $"{Path}{field}[{i}]", "must be an object");
            list.Add(new SettingsObject(File, $"{Path}{field}[{i}].", item));
            i++;
        }
        return list;
    }

    public IReadOnlyList<int> Ints(string field, IReadOnlyList<int> fallback, int min, int max)
    {
        if (!TryGet(field, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0) throw Error(field, "must be a non-empty list of whole numbers");
        var list = new List<int>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var n) || n < min || n > max)
                throw Error(field, $"holds {item}; each value must be a whole number in [{min}, {max}]");
            list.Add(n);
        }
        return list;
    }

    /// <summary>Throws naming the first field no reader asked for (a typo, or a setting of another stage).</summary>
    public void RejectUnknown(params SettingsObject?[] nested)
    {
        foreach (var p in _e.EnumerateObject())
            if (!_read.Contains(p.Name))
                throw Error(p.Name, "is not a known setting here (misspelt?)");
        foreach (var n in nested) n?.RejectUnknown();
    }

    private string? Touch(string field)
    {
        _read.Add(field);
        return null;
    }
}
