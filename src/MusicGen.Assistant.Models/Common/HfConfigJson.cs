using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Typed reads of Hugging Face config.json fields, shared by every family's config: a missing key gives the default,
/// a value of the wrong type, out of range or not valid JSON an error naming the file, the field (its JSON path, e.g.
/// <c>decoder.num_codebooks</c>) and what was expected.
/// </summary>
public static class HfConfigJson
{
    /// <summary>config.json and its kin are a few KB; anything past this is not a config.</summary>
    public const long MaxConfigBytes = 16L << 20;

    /// <summary>The text of a JSON config file: a regular file, at most <see cref="MaxConfigBytes"/>, strict UTF-8.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelConfigException">Not a regular file, too large, or not UTF-8 (names the file).</exception>
    public static string ReadFile(string path, string what = "config.json")
    {
        try { return InputFile.ReadAllText(path, what, MaxConfigBytes); }
        catch (InvalidDataException e) { throw new ModelConfigException(e.Message); }
        catch (InputFileException e) { throw new ModelConfigException(e.Message); }
    }

    /// <summary>Parses <paramref name="json"/>, which must be an object; errors name <paramref name="source"/> and the position.</summary>
    public static JsonObject ParseObject(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: not valid JSON ({e.Message})"); }
        return root as JsonObject ?? throw new ModelConfigException($"{source}: expected a JSON object, found {Kind(root)}");
    }

    public static int Int(JsonObject o, string key, int fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var x) && x == Math.Floor(x) && double.IsFinite(x) =>
            throw Bad(o, key, source, $"an integer in {int.MinValue}..{int.MaxValue}", v),
        var other => throw Bad(o, key, source, "an integer", other),
    };

    public static double Double(JsonObject o, string key, double fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<double>(out var x) && double.IsFinite(x) => x,
        var other => throw Bad(o, key, source, "a finite number", other),
    };

    public static bool Bool(JsonObject o, string key, bool fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        var other => throw Bad(o, key, source, "true or false", other),
    };

    public static string? String(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw Bad(o, key, source, "a string", other),
    };

    /// <summary>A nested object (<c>text_encoder</c>, <c>decoder</c>), or null when absent.</summary>
    public static JsonObject? Object(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonObject child => child,
        var other => throw Bad(o, key, source, "an object", other),
    };

    public static int[] Ints(JsonObject o, string key, int[] fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonArray a => a.Select((x, i) => x is JsonValue v && v.TryGetValue<int>(out var n) ? n
            : throw Bad($"{FieldPath(o, key)}[{i}]", source, "an integer", x)).ToArray(),
        var other => throw Bad(o, key, source, "a list of integers", other),
    };

    public static double[] Doubles(JsonObject o, string key, double[] fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonArray a => a.Select((x, i) => x is JsonValue v && v.TryGetValue<double>(out var n) && double.IsFinite(n) ? n
            : throw Bad($"{FieldPath(o, key)}[{i}]", source, "a finite number", x)).ToArray(),
        var other => throw Bad(o, key, source, "a list of numbers", other),
    };

    /// <summary>The field's JSON path without the leading "$.", e.g. "decoder.num_codebooks".</summary>
    public static string FieldPath(JsonObject o, string key)
    {
        var parent = o.GetPath();
        return parent == "$" ? key : parent.TrimStart('$', '.') + "." + key;
    }

    private static ModelConfigException Bad(JsonObject o, string key, string source, string expected, JsonNode? found) =>
        Bad(FieldPath(o, key), source, expected, found);

    private static ModelConfigException Bad(string field, string source, string expected, JsonNode? found) =>
        new($"{source}: '{field}' should be {expected}, found {Shown(found)}");

    private static string Shown(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => v.ToJsonString(),
        },
        _ => "something else",
    };

    /// <summary>A number for messages, in the invariant culture.</summary>
    internal static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
