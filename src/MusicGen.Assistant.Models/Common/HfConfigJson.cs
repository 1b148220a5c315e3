using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Typed reads of Hugging Face config.json fields, shared by every family's config: a missing key gives the default,
/// a value of the wrong type an error naming the file and the key.
/// </summary>
public static class HfConfigJson
{
    public static int Int(JsonObject o, string key, int fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        var other => throw new ModelConfigException($"{source}: '{key}' should be an integer, found {other.ToJsonString()}"),
    };

    public static double Double(JsonObject o, string key, double fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<double>(out var x) => x,
        var other => throw new ModelConfigException($"{source}: '{key}' should be a number, found {other.ToJsonString()}"),
    };

    public static bool Bool(JsonObject o, string key, bool fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        var other => throw new ModelConfigException($"{source}: '{key}' should be true or false, found {other.ToJsonString()}"),
    };

    public static string? String(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw new ModelConfigException($"{source}: '{key}' should be a string, found {other.ToJsonString()}"),
    };

    public static int[] Ints(JsonObject o, string key, int[] fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonArray a => a.Select(x => x is JsonValue v && v.TryGetValue<int>(out var i) ? i
            : throw new ModelConfigException($"{source}: '{key}' should hold integers")).ToArray(),
        var other => throw new ModelConfigException($"{source}: '{key}' should be a list, found {other.ToJsonString()}"),
    };
}
