using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>The fixture sets holding a ViT or ViViT checkpoint (found by config.json's model_type), and helpers.</summary>
internal static class VisionFixtures
{
    public static VisionFamily? FamilyOf(FixtureSet set)
    {
        if (!set.HasModel) return null;
        var modelType = (JsonNode.Parse(File.ReadAllText(set.ConfigPath)) as JsonObject)?["model_type"] as JsonValue;
        return (modelType is not null && modelType.TryGetValue<string>(out var name) ? name : null) switch
        {
            "vit" => VisionFamily.ViT,
            "vivit" => VisionFamily.ViViT,
            _ => null,
        };
    }

    public static IEnumerable<FixtureSet> Sets() => FixtureSet.All().Where(s => FamilyOf(s) is not null);

    /// <summary>A [B, C, H, W] (images) or [B, T, C, H, W] (clips) array as pixel_values.</summary>
    public static PixelValues Pixels(NDArray a)
    {
        var data = a.Data.Select(v => (float)v).ToArray();
        return a.Rank switch
        {
            4 => PixelValues.Images(data, (int)a.Shape[0], (int)a.Shape[1], (int)a.Shape[2], (int)a.Shape[3]),
            5 => PixelValues.Videos(data, (int)a.Shape[0], (int)a.Shape[1], (int)a.Shape[2], (int)a.Shape[3], (int)a.Shape[4]),
            _ => throw new NotSupportedException($"pixel_values of shape [{string.Join(", ", a.Shape)}]"),
        };
    }

    public static PixelValues Pixels(ReferenceVector v) => Pixels(new NDArray(v.Shape, v.Values()));
}

/// <summary>Random-weight vision GGUF files for tests, written once per run by <see cref="VisionRandomPlan"/>.</summary>
internal static class RandomVisionModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-vision-").FullName;

    /// <summary>Non-square images, non-square patches with leftover pixels, no qkv bias, quick_gelu.</summary>
    public static VisionTransformerConfig OddViT { get; } = new()
    {
        Family = VisionFamily.ViT, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 24,
        HiddenAct = "quick_gelu", LayerNormEps = 1e-5, QkvBias = false, NumChannels = 3, NumFrames = 1,
        ImageHeight = 13, ImageWidth = 9, PatchFrames = 1, PatchHeight = 4, PatchWidth = 2,
    };

    /// <summary>A clip whose frames do not fill the last tubelet, exact GELU, one channel.</summary>
    public static VisionTransformerConfig OddViViT { get; } = new()
    {
        Family = VisionFamily.ViViT, HiddenSize = 12, NumHiddenLayers = 2, NumAttentionHeads = 3, IntermediateSize = 20,
        HiddenAct = "gelu", LayerNormEps = 1e-6, QkvBias = true, NumChannels = 1, NumFrames = 5,
        ImageHeight = 8, ImageWidth = 8, PatchFrames = 2, PatchHeight = 4, PatchWidth = 4,
    };

    public static string Gguf(string name, VisionTransformerConfig config, bool pooler = true, StorageType storage = StorageType.F32) =>
        Cache.GetOrAdd($"{name}-{pooler}-{StorageTypes.Name(storage)}", key => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, key + ".gguf");
            GgufConverter.Write(new VisionRandomPlan(config, seed: 5, pooler), path, storage, "test");
            return path;
        })).Value;

    /// <summary>Deterministic pixels in [-1, 1] for a config's input shape.</summary>
    public static PixelValues Pixels(VisionTransformerConfig c, int batch, int seed)
    {
        var rng = new Random(seed);
        var data = new float[batch * c.NumFrames * c.NumChannels * c.ImageHeight * c.ImageWidth];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(2 * rng.NextDouble() - 1);
        return new PixelValues(data, batch, c.NumFrames, c.NumChannels, c.ImageHeight, c.ImageWidth);
    }
}
