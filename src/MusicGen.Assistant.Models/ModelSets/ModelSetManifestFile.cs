using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Models.ModelSets;

/// <summary>
/// Reads and writes <c>musicgen.modelset.json</c>:
/// <code>
/// { "name": "...", "kind": "musicgen", "demo": false, "build_version": "...",
///   "text_encoder": "model.gguf", "decoder": "model.gguf", "codec": "model.gguf", "tokenizer": "spiece.model",
///   "defaults": { "guidance_scale": 3.0, "top_k": 250, "top_p": 0, "temperature": 1.0, "max_duration_seconds": 30 } }
/// </code>
/// Paths are relative to the manifest's folder (absolute paths are kept). "kind" is "musicgen", or "m2ugen" for an
/// assistant set, which adds an "assistant" section (<see cref="AssistantPartsJson"/>) to the same MusicGen fields.
/// "tokenizer" may name a sentencepiece .model, a tokenizer.json or a GGUF carrying one; when it is left out, the
/// tokenizer embedded in the text encoder's GGUF is used.
/// </summary>
public static class ModelSetManifestFile
{
    public static ModelSetManifest Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"model set manifest '{path}' does not exist", full);
        JsonNode? root;
        try { root = JsonNode.Parse(HfConfigJson.ReadFile(full, "model set manifest")); }
        catch (JsonException e) { throw new ModelConfigException($"{full}: not a valid JSON model set manifest ({e.Message})"); }
        if (root is not JsonObject o) throw new ModelConfigException($"{full}: a model set manifest must be a JSON object");

        var folder = Path.GetDirectoryName(full)!;
        var kind = String(o, "kind", full);
        if (kind is not (ModelSetManifest.KindMusicGen or ModelSetManifest.KindM2UGen))
            throw new ModelConfigException($"{full}: kind is \"{kind}\"; only \"{ModelSetManifest.KindMusicGen}\" and \"{ModelSetManifest.KindM2UGen}\" model sets are supported");
        string Resolve(string path) => Path.GetFullPath(Path.Combine(folder, path));
        string FilePath(string field) => Resolve(String(o, field, full));
        return new ModelSetManifest
        {
            Name = String(o, "name", full),
            Kind = kind,
            TextEncoderPath = FilePath("text_encoder"),
            DecoderPath = FilePath("decoder"),
            CodecPath = FilePath("codec"),
            // no "tokenizer": the one embedded in the text encoder's GGUF (a GGUF path may also be named explicitly)
            TokenizerPath = o["tokenizer"] is null ? FilePath("text_encoder") : FilePath("tokenizer"),
            Demo = o["demo"] switch
            {
                null => false,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                var other => throw new ModelConfigException($"{full}: \"demo\" is {other.ToJsonString()}; expected true or false"),
            },
            BuildVersion = o["build_version"] is null ? null : String(o, "build_version", full),
            Defaults = ReadDefaults(o["defaults"], full),
            Assistant = kind == ModelSetManifest.KindM2UGen ? AssistantPartsJson.Read(o["assistant"], Resolve, full) : null,
            Source = full,
        };
    }

    /// <summary>Writes a manifest (paths made relative to <paramref name="path"/>'s folder), replacing the file atomically.</summary>
    public static void Write(string path, ModelSetManifest m)
    {
        var full = Path.GetFullPath(path);
        if (m.Kind == ModelSetManifest.KindM2UGen && m.Assistant is null)
            throw new ArgumentException("an m2ugen model set needs its assistant parts", nameof(m));
        var folder = Path.GetDirectoryName(full)!;
        string Relative(string p) => Path.GetRelativePath(folder, p).Replace('\\', '/');
        var d = m.Defaults;
        var defaults = new JsonObject
        {
            ["guidance_scale"] = d.GuidanceScale, ["top_k"] = d.TopK, ["top_p"] = d.TopP, ["temperature"] = d.Temperature,
        };
        if (d.MaxDurationSeconds is { } max) defaults["max_duration_seconds"] = max;
        var root = new JsonObject
        {
            ["name"] = m.Name, ["kind"] = m.Kind, ["demo"] = m.Demo,
            ["text_encoder"] = Relative(m.TextEncoderPath), ["decoder"] = Relative(m.DecoderPath),
            ["codec"] = Relative(m.CodecPath), ["tokenizer"] = Relative(m.TokenizerPath),
            ["defaults"] = defaults,
        };
        if (m.BuildVersion is not null) root["build_version"] = m.BuildVersion;
        if (m.Assistant is not null)
        {
            root["kind"] = ModelSetManifest.KindM2UGen;
            root["assistant"] = AssistantPartsJson.Write(m.Assistant, Relative);
        }
        var temp = full + ".partial";
        File.WriteAllText(temp, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temp, full, overwrite: true);
    }

    private static GenerationDefaults ReadDefaults(JsonNode? node, string source)
    {
        if (node is null) return new GenerationDefaults();
        if (node is not JsonObject o) throw new ModelConfigException($"{source}: \"defaults\" must be an object");
        var d = new GenerationDefaults();
        double Number(string field, double fallback) => o[field] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<double>(out var x) => x,
            var other => throw new ModelConfigException($"{source}: defaults.{field} is {other.ToJsonString()}; expected a number"),
        };
        var topK = Number("top_k", d.TopK);
        if (topK != Math.Floor(topK) || topK > int.MaxValue)
            throw new ModelConfigException(string.Create(CultureInfo.InvariantCulture, $"{source}: defaults.top_k is {topK}; expected an integer"));
        return new GenerationDefaults
        {
            GuidanceScale = Number("guidance_scale", d.GuidanceScale),
            TopK = (int)topK,
            TopP = Number("top_p", d.TopP),
            Temperature = Number("temperature", d.Temperature),
            MaxDurationSeconds = o["max_duration_seconds"] is null ? null : Number("max_duration_seconds", 0),
        }.Validate(source);
    }

    private static string String(JsonObject o, string field, string source) => o[field] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        null => throw new ModelConfigException($"{source}: missing \"{field}\""),
        var other => throw new ModelConfigException($"{source}: \"{field}\" is {other.ToJsonString()}; expected a non-empty string"),
    };
}
