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
        var file = Path.Combine(directory, "vectors.json");
        var vectors = root["vectors"] as JsonArray ?? throw new InvalidDataException($"{file}: no 'vectors' list");
        Vectors = vectors.Select((v, i) => Vector(file, v as JsonObject ?? throw new InvalidDataException($"{file}: vectors[{i}] is not an object"), i)).ToList();
    }

    // Each field read with its type checked: a malformed vectors.json names the file, the vector and the field.
    private ReferenceVector Vector(string file, JsonObject v, int index)
    {
        string Text(string field, bool required = true) => v[field] switch
        {
            JsonValue value when value.TryGetValue<string>(out var s) => s,
            null when !required => "",
            var other => throw new InvalidDataException($"{file}: vectors[{index}].{field} should be a string, found {other?.ToJsonString() ?? "nothing"}"),
        };
        var shape = v["shape"] is JsonArray a && a.All(x => x is JsonValue xv && xv.TryGetValue<long>(out var n) && n >= 0)
            ? a.Select(x => x!.GetValue<long>()).ToArray()
            : throw new InvalidDataException($"{file}: vectors[{index}].shape should be a list of non-negative integers, found {v["shape"]?.ToJsonString() ?? "nothing"}");
        Tolerance? tolerance;
        try { tolerance = Tolerance.Parse(v["tolerance"]); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: vectors[{index}].tolerance should be {{\"atol\": x, \"rtol\": y}}, \"exact\" or a note, found {v["tolerance"]?.ToJsonString()}");
        }
        return new ReferenceVector(this, Text("name"), Text("meaning", required: false), shape, Text("dtype"), Text("call"), tolerance);
    }

    public string Directory { get; }
    public string Name { get; }
    public JsonObject Root { get; }
    public IReadOnlyList<ReferenceVector> Vectors { get; }
    public string ConfigPath => Path.Combine(Directory, "config.json");
    public bool HasModel => File.Exists(ConfigPath) && File.Exists(Path.Combine(Directory, "model.safetensors"));

    /// <summary>The folder's config.json.</summary>
    public JsonObject Config => JsonNode.Parse(File.ReadAllText(ConfigPath)) as JsonObject
                                ?? throw new InvalidDataException($"{ConfigPath}: not a JSON object");

    /// <summary>Tensors save_pretrained (or torch.save) wrote to the checkpoint: vectors.json's checkpoint.saved_keys.</summary>
    public int SavedTensorCount => Root["checkpoint"]?["saved_keys"]?.GetValue<int>()
                                   ?? throw new InvalidDataException($"{Directory}/vectors.json: no checkpoint.saved_keys");

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
            .Select(p => new FixtureSet(Path.GetDirectoryName(p)!, ParseObject(p)))
            .ToList();
    }

    /// <summary>The fixture set in one folder (its vectors.json read and checked).</summary>
    public static FixtureSet Load(string directory) => new(Path.GetFullPath(directory), ParseObject(Path.Combine(directory, "vectors.json")));

    private static JsonObject ParseObject(string path)
    {
        try
        {
            return JsonNode.Parse(Native.Files.InputFile.ReadAllText(path, "vectors.json")) as JsonObject
                   ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
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
