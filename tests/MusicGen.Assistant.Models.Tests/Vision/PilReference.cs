using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>
/// TestData/pil_reference.json: outputs of Pillow's resize and convert("RGB") and of transformers' processor arithmetic
/// for synthetic images, written by TestData/make_pil_reference.py (Debian python3-pil 9.4, numpy 1.24). The images
/// are rebuilt here from the same formula.
/// </summary>
internal static class PilReference
{
    private static readonly Lazy<JsonObject> Document = new(() =>
    {
        var path = Path.Combine(FixturePaths.RepositoryRoot, "tests", "MusicGen.Assistant.Models.Tests", "Vision", "TestData", "pil_reference.json");
        return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
    });

    public static JsonArray Cases(string kind) => Document.Value[kind]!.AsArray();

    /// <summary>value(x, y, c) = (x·37 + y·61 + c·97 + seed·13 + ((x·y) mod 7)·29) mod 256.</summary>
    public static byte[] Pattern(int width, int height, int channels, int seed)
    {
        var bytes = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                    bytes[(y * width + x) * channels + c] = (byte)((x * 37 + y * 61 + c * 97 + seed * 13 + x * y % 7 * 29) % 256);
        return bytes;
    }

    public static ImageFrame Image(JsonNode spec)
    {
        var format = Enum.Parse<ImagePixelFormat>(spec["format"]!.GetValue<string>());
        int width = spec["width"]!.GetValue<int>(), height = spec["height"]!.GetValue<int>();
        return new ImageFrame(width, height, format, Pattern(width, height, (int)format, spec["seed"]!.GetValue<int>()));
    }

    public static byte[] Bytes(JsonNode node) => Convert.FromBase64String(node.GetValue<string>());

    public static float[] Floats(JsonNode node)
    {
        var bytes = Bytes(node);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
