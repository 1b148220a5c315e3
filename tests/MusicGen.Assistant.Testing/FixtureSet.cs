using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Testing;

/// <summary>
/// A fixture folder: config.json / model.safetensors (when it has a model), vectors.json describing every vector, and
/// vectors.safetensors holding them. Found by scanning the fixture root for vectors.json, so other fixture sets of the
/// same layout work unchanged.
/// </summary>
public sealed class FixtureSet
{
    private FixtureSet(string directory, JsonObject root)
    {
        Directory = directory;
        Name = Path.GetFileName(directory);
        Root = root;
        Vectors = (root["vectors"] as JsonArray ?? throw new InvalidDataException($"{directory}/vectors.json: no 'vectors' list"))
            .Select(v => new ReferenceVector(this,
                v!["name"]!.GetValue<string>(),
                v["meaning"]?.GetValue<string>() ?? "",
                v["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray(),
                v["dtype"]!.GetValue<string>(),
                v["call"]!.GetValue<string>(),
                Tolerance.Parse(v["tolerance"])))
            .ToList();
    }

    public string Directory { get; }
    public string Name { get; }
    public JsonObject Root { get; }
    public IReadOnlyList<ReferenceVector> Vectors { get; }
    public string ConfigPath => Path.Combine(Directory, "config.json");
    public bool HasModel => File.Exists(ConfigPath) && File.Exists(Path.Combine(Directory, "model.safetensors"));

    public ReferenceVector Vector(string name) =>
        Vectors.FirstOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"{Name}: no vector '{name}'");

    /// <summary>Every fixture set under the fixture root (MGA_FIXTURES), in name order.</summary>
    public static IReadOnlyList<FixtureSet> All()
    {
        var root = FixturePaths.FixturesRoot;
        if (!System.IO.Directory.Exists(root))
            throw new DirectoryNotFoundException($"fixture directory '{root}' does not exist (set {FixturePaths.EnvironmentVariable})");
        return System.IO.Directory.GetFiles(root, "vectors.json", SearchOption.AllDirectories)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new FixtureSet(Path.GetDirectoryName(p)!, JsonNode.Parse(File.ReadAllText(p)) as JsonObject
                                                                   ?? throw new InvalidDataException($"{p}: not a JSON object")))
            .ToList();
    }

    public static FixtureSet ByName(string name) =>
        All().FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"no fixture set '{name}' under {FixturePaths.FixturesRoot}");

    internal double[] ReadValues(string name)
    {
        using var file = SafetensorsFile.Open(Path.Combine(Directory, "vectors.safetensors"));
        var info = file.Get(name);
        return info.DType is SafetensorsDType.I64 or SafetensorsDType.I32
            ? file.ReadInt64(name).Select(x => (double)x).ToArray()
            : file.ReadFloat32(name).Select(x => (double)x).ToArray();
    }
}
