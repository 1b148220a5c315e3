using System.Text.Json;
using System.Text.Json.Nodes;
using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>Reads shared by the vision configs: the JSON root, "n or [h, w]" sizes, and errors prefixed by the file.</summary>
internal static class VisionConfigJson
{
    public static JsonObject Parse(string json, string source, string modelType)
    {
        var o = ParseObject(json, source);
        var type = String(o, "model_type", source);
        if (type != modelType)
            throw new ModelConfigException($"{source}: model_type is '{type ?? "(missing)"}', expected '{modelType}'");
        return o;
    }

    public static (int, int) Pair(JsonObject o, string key, (int, int) fallback, string source) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<int>(out var n) => (n, n),
        JsonArray { Count: 2 } a when a.All(x => x is JsonValue xv && xv.TryGetValue<int>(out _)) => (a[0]!.GetValue<int>(), a[1]!.GetValue<int>()),
        var other => throw new ModelConfigException($"{source}: '{key}' should be an integer or a list [height, width], found {other.ToJsonString()}"),
    };

    public static void Check(Func<VisionTransformerConfig> build, string source)
    {
        try { build(); }
        catch (ModelConfigException e) { throw new ModelConfigException($"{source}: {e.Message}"); }
    }
}
