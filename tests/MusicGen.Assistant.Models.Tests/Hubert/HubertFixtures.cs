using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// The HuBERT-architecture fixture sets under MGA_FIXTURES (config.json model_type 'hubert' or 'mert_model'), each
/// converted once per run by our own converter.
/// </summary>
internal static class HubertFixtures
{
    private static readonly ConcurrentDictionary<(string, StorageType), Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-hubert-converted-").FullName;

    public static IEnumerable<FixtureSet> Sets() => FixtureSet.All().Where(IsHubert);

    public static FixtureSet Tiny => FixtureSet.ByName("hubert-tiny");

    public static bool IsHubert(FixtureSet set) =>
        set.HasModel && (JsonNode.Parse(File.ReadAllText(set.ConfigPath)) as JsonObject)?["model_type"]?.GetValue<string>() is "hubert" or "mert_model";

    public static string Gguf(FixtureSet set, StorageType type = StorageType.F32) =>
        Cache.GetOrAdd((set.Directory, type), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{StorageTypes.Name(type)}.gguf");
            using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
            GgufConverter.Write(HubertCheckpointPlan.FromDirectory(set.Directory, new CheckpointReader(checkpoint)), path, type, set.Name);
            return path;
        })).Value;

    public static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();

    /// <summary>Rows of a [B, S] vector as a 2-D array.</summary>
    public static float[,] Matrix(ReferenceVector v)
    {
        var values = v.Values();
        long rows = v.Shape[0], columns = v.Shape[1];
        var m = new float[rows, columns];
        for (var i = 0; i < values.Length; i++) m[i / columns, i % columns] = (float)values[i];
        return m;
    }

    public static int[,] IntMatrix(ReferenceVector v)
    {
        var values = v.Values();
        long rows = v.Shape[0], columns = v.Shape[1];
        var m = new int[rows, columns];
        for (var i = 0; i < values.Length; i++) m[i / columns, i % columns] = checked((int)values[i]);
        return m;
    }
}
