using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>The M2UGen fixture sets and their output projector, converted once per test run by our plan.</summary>
internal static class ProjectorFixtures
{
    private static readonly ConcurrentDictionary<(string, StorageType), Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-projector-").FullName;

    /// <summary>Sets whose config.json says model_type "m2ugen" and whose checkpoint holds a projector.</summary>
    public static IEnumerable<FixtureSet> Sets() =>
        FixtureSet.All().Where(s => s.HasModel
            && JsonNode.Parse(File.ReadAllText(s.ConfigPath))?["model_type"]?.GetValue<string>() == "m2ugen"
            && s.Vectors.Any(ProjectorFixtureVectors.Handles));

    public static string Gguf(FixtureSet set, StorageType type = StorageType.F32) =>
        Cache.GetOrAdd((set.Directory, type), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{StorageTypes.Name(type)}.gguf");
            using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
            var plan = ProjectorCheckpointPlan.ForCheckpoint(checkpoint, File.ReadAllText(set.ConfigPath), set.ConfigPath);
            GgufConverter.Write(plan, path, type, set.Name);
            return path;
        })).Value;
}
