using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>A resize target as transformers' size dicts give it: {"shortest_edge": n} or {"height": h, "width": w}.</summary>
public readonly record struct ResizeTarget(int? ShortestEdge, int Height, int Width)
{
    public static ResizeTarget Shortest(int edge) => new(edge, 0, 0);
    public static ResizeTarget Exact(int height, int width) => new(null, height, width);

    /// <summary>
    /// transformers' get_resize_output_image_size: the short side becomes the edge, the long side
    /// int(edge · long / short) (truncated), the aspect kept; an exact target is returned as it is. (height, width).
    /// </summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (ShortestEdge is not { } edge) return (Height, Width);
        var (shortSide, longSide) = width <= height ? (width, height) : (height, width);
        var newLong = (int)((double)((long)edge * longSide) / shortSide);
        return width <= height ? (newLong, edge) : (edge, newLong);
    }

    public override string ToString() => ShortestEdge is { } e ? $"shortest edge {e}" : $"{Height}×{Width}";
}

/// <summary>
/// Typed reads of a Hugging Face preprocessor_config.json, with transformers' conventions: a size may be a number
/// (square, or the shortest edge where the processor says so), a [height, width] list or a dict; mean and std may be
/// one number for every channel. Errors name the file and the key.
/// </summary>
internal static class PreprocessorConfigJson
{
    public static JsonObject Parse(string json, string source)
    {
        return HfConfigJson.ParseObject(json, source);
    }

    public static PilResample Resample(JsonObject o, string key, PilResample fallback, string source)
    {
        var value = HfConfigJson.Int(o, key, (int)fallback, source);
        return value is >= 0 and <= 5 ? (PilResample)value
            : throw new ModelConfigException($"{source}: '{key}' is {value}; PIL's filters are 0 (nearest) to 5 (hamming)");
    }

    /// <summary>transformers' get_size_dict: a number is a square when <paramref name="numberIsSquare"/>, else a shortest edge.</summary>
    public static ResizeTarget Size(JsonObject o, string key, ResizeTarget fallback, bool numberIsSquare, string source)
    {
        var target = o[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<int>(out var n) => numberIsSquare ? ResizeTarget.Exact(n, n) : ResizeTarget.Shortest(n),
            JsonArray { Count: 2 } a when a.All(x => x is JsonValue xv && xv.TryGetValue<int>(out _)) =>
                ResizeTarget.Exact(a[0]!.GetValue<int>(), a[1]!.GetValue<int>()),
            JsonObject d when d.Count == 1 && d["shortest_edge"] is JsonValue e && e.TryGetValue<int>(out var edge) => ResizeTarget.Shortest(edge),
            JsonObject d when d.Count == 2 && d["height"] is JsonValue h && h.TryGetValue<int>(out var height)
                                          && d["width"] is JsonValue w && w.TryGetValue<int>(out var width) => ResizeTarget.Exact(height, width),
            var other => throw new ModelConfigException(
                $"{source}: '{key}' {other.ToJsonString()} is not supported (a number, [height, width], {{\"height\", \"width\"}} or {{\"shortest_edge\"}})"),
        };
        if (target.ShortestEdge is < 1 || target.ShortestEdge is null && (target.Height < 1 || target.Width < 1))
            throw new ModelConfigException($"{source}: '{key}' {target} must be positive");
        const int max = VisionTransformerConfig.Limits.ImageSide;
        if (target.ShortestEdge is > max || target.Height > max || target.Width > max)
            throw new ModelConfigException($"{source}: '{key}' {target} is larger than {max} pixels a side, the largest this implementation accepts");
        return target;
    }

    /// <summary>A per-channel list (mean, std), or one number for every channel.</summary>
    public static float[] Floats(JsonObject o, string key, float[] fallback, int channels, string source)
    {
        var values = o[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<double>(out var x) => Enumerable.Repeat((float)x, channels).ToArray(),
            JsonArray a when a.All(x => x is JsonValue xv && xv.TryGetValue<double>(out _)) => a.Select(x => (float)x!.GetValue<double>()).ToArray(),
            var other => throw new ModelConfigException($"{source}: '{key}' should be a number or a list of numbers, found {other.ToJsonString()}"),
        };
        if (values.Length != channels)
            throw new ModelConfigException($"{source}: '{key}' has {values.Length} values, expected one per channel ({channels})");
        return values;
    }
}
