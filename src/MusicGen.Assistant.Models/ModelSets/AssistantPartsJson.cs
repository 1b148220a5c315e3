using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Models.ModelSets;

/// <summary>
/// The <c>"assistant"</c> section of an M2UGen model set manifest:
/// <code>
/// "assistant": { "llama": "llama.gguf", "llama_tokenizer": "llama.gguf", "adapters": "adapters.gguf",
///   "projector": "projector.gguf", "encoders": { "music": "mert.gguf", "image": "vit.gguf", "video": "vivit.gguf" },
///   "aud_tokens": ["[AUD0]", ..., "[AUD7]"], "music_conditioning": "text" }
/// </code>
/// Paths are relative to the manifest's folder; "encoders" may name any subset; "aud_tokens" and
/// "music_conditioning" have the defaults of <see cref="AssistantParts"/>.
/// </summary>
internal static class AssistantPartsJson
{
    public static AssistantParts Read(JsonNode? node, Func<string, string> resolve, string source)
    {
        if (node is not JsonObject o) throw new ModelConfigException($"{source}: an m2ugen model set needs an \"assistant\" object (the LLaMA, adapters and projector)");
        string Path(string field) => resolve(Text(o, field, $"assistant.{field}", source));
        var encoders = new Dictionary<M2UGenModality, string>();
        if (o["encoders"] is { } e)
        {
            if (e is not JsonObject eo) throw new ModelConfigException($"{source}: \"assistant.encoders\" must be an object (music / image / video: file)");
            foreach (var (key, _) in eo)
            {
                M2UGenModality m;
                try { m = M2UGenModalities.Parse(key); }
                catch (ArgumentException) { throw new ModelConfigException($"{source}: \"assistant.encoders.{key}\" is not a modality (use music, image or video)"); }
                encoders[m] = resolve(Text(eo, key, $"assistant.encoders.{key}", source));
            }
        }
        var tokens = o["aud_tokens"] switch
        {
            null => AssistantParts.DefaultAudioTokens,
            JsonArray a when a.Count > 0 && a.All(x => x is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0) =>
                a.Select(x => x!.GetValue<string>()).ToArray(),
            var other => throw new ModelConfigException($"{source}: \"assistant.aud_tokens\" is {other.ToJsonString()}; expected a list of token strings"),
        };
        MusicConditioningPath path;
        try { path = o["music_conditioning"] is null ? MusicConditioningPath.Text : MusicConditioningPaths.Parse(Text(o, "music_conditioning", "assistant.music_conditioning", source)); }
        catch (ArgumentException ex) { throw new ModelConfigException($"{source}: \"assistant.music_conditioning\": {ex.Message}"); }
        return new AssistantParts
        {
            LlamaPath = Path("llama"),
            LlamaTokenizerPath = Path("llama_tokenizer"),
            AdaptersPath = Path("adapters"),
            ProjectorPath = Path("projector"),
            EncoderPaths = encoders,
            AudioTokens = tokens,
            MusicConditioning = path,
        };
    }

    public static JsonObject Write(AssistantParts a, Func<string, string> relative)
    {
        var encoders = new JsonObject();
        foreach (var (m, path) in a.EncoderPaths.OrderBy(p => p.Key)) encoders[m.Name()] = relative(path);
        return new JsonObject
        {
            ["llama"] = relative(a.LlamaPath),
            ["llama_tokenizer"] = relative(a.LlamaTokenizerPath),
            ["adapters"] = relative(a.AdaptersPath),
            ["projector"] = relative(a.ProjectorPath),
            ["encoders"] = encoders,
            ["aud_tokens"] = new JsonArray(a.AudioTokens.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
            ["music_conditioning"] = a.MusicConditioning.Name(),
        };
    }

    private static string Text(JsonObject o, string key, string field, string source) => o[key] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        null => throw new ModelConfigException($"{source}: missing \"{field}\""),
        var other => throw new ModelConfigException($"{source}: \"{field}\" is {other.ToJsonString()}; expected a non-empty string"),
    };
}
