using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;

namespace MusicGen.Assistant.Models.Tests.ModelSets;

/// <summary>
/// The model-set manifest with its m2ugen extension: an assistant set round-trips with relative paths, a plain
/// musicgen manifest (the format before the extension) still loads without assistant parts, and a broken assistant
/// section or a missing part file is named.
/// </summary>
public sealed class ModelSetManifestFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mga-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, "x");
        return path;
    }

    private ModelSetManifest Assistant() => new()
    {
        Name = "set", TextEncoderPath = File("musicgen.gguf"), DecoderPath = File("musicgen.gguf"), CodecPath = File("musicgen.gguf"),
        TokenizerPath = File("musicgen.gguf"), Defaults = new GenerationDefaults { GuidanceScale = 3.5 },
        Assistant = new AssistantParts
        {
            LlamaPath = File("llama.gguf"), LlamaTokenizerPath = File("llama.gguf"), AdaptersPath = File("adapters.gguf"),
            ProjectorPath = File("projector.gguf"),
            EncoderPaths = new Dictionary<M2UGenModality, string> { [M2UGenModality.Music] = File("mert.gguf"), [M2UGenModality.Video] = File("vivit.gguf") },
            MusicConditioning = MusicConditioningPath.Projector,
        },
    };

    [Fact]
    public void An_assistant_set_round_trips_with_paths_relative_to_the_manifest()
    {
        var path = Path.Combine(_dir, ModelSetManifest.FileName);
        var written = Assistant();
        ModelSetManifestFile.Write(path, written);
        var json = JsonNode.Parse(System.IO.File.ReadAllText(path))!;
        Assert.Equal("m2ugen", json["kind"]!.GetValue<string>());
        Assert.Equal("llama.gguf", json["assistant"]!["llama"]!.GetValue<string>());
        Assert.Equal("projector", json["assistant"]!["music_conditioning"]!.GetValue<string>());

        var read = ModelSetLocator.Resolve(_dir);
        Assert.Equal(ModelSetManifest.KindM2UGen, read.Kind);
        var (a, b) = (written.Assistant!, read.Assistant!);
        Assert.Equal((a.LlamaPath, a.LlamaTokenizerPath, a.AdaptersPath, a.ProjectorPath, a.MusicConditioning),
            (b.LlamaPath, b.LlamaTokenizerPath, b.AdaptersPath, b.ProjectorPath, b.MusicConditioning));
        Assert.Equal(a.EncoderPaths.OrderBy(p => p.Key), b.EncoderPaths.OrderBy(p => p.Key));
        Assert.Equal(a.AudioTokens, b.AudioTokens);
        Assert.Equal(3.5, read.Defaults.GuidanceScale);
    }

    [Fact]
    public void A_musicgen_manifest_loads_as_before_without_assistant_parts()
    {
        var path = Path.Combine(_dir, ModelSetManifest.FileName);
        System.IO.File.WriteAllText(path, """
            { "name": "old", "kind": "musicgen", "text_encoder": "m.gguf", "decoder": "m.gguf", "codec": "m.gguf", "tokenizer": "spiece.model" }
            """);
        File("m.gguf");
        File("spiece.model");
        var read = ModelSetLocator.Resolve(path);
        Assert.Equal(ModelSetManifest.KindMusicGen, read.Kind);
        Assert.Null(read.Assistant);
        Assert.Equal(Path.Combine(_dir, "m.gguf"), read.DecoderPath);

        // written back, it stays a plain musicgen manifest
        ModelSetManifestFile.Write(path, read);
        var json = JsonNode.Parse(System.IO.File.ReadAllText(path))!.AsObject();
        Assert.Equal("musicgen", json["kind"]!.GetValue<string>());
        Assert.False(json.ContainsKey("assistant"));
    }

    [Theory]
    [InlineData("""{ "llama": "l.gguf", "llama_tokenizer": "l.gguf", "adapters": "a.gguf" }""", "missing \"assistant.projector\"")]
    [InlineData("""{ "llama": "l.gguf", "llama_tokenizer": "l.gguf", "adapters": "a.gguf", "projector": "p.gguf", "encoders": { "audio": "m.gguf" } }""", "\"assistant.encoders.audio\" is not a modality")]
    [InlineData("""{ "llama": "l.gguf", "llama_tokenizer": "l.gguf", "adapters": "a.gguf", "projector": "p.gguf", "music_conditioning": "t5" }""", "unknown music conditioning path 't5'")]
    [InlineData("""{ "llama": "l.gguf", "llama_tokenizer": "l.gguf", "adapters": "a.gguf", "projector": 3 }""", "\"assistant.projector\" is 3")]
    [InlineData("""[]""", "needs an \"assistant\" object")]
    public void A_broken_assistant_section_is_named(string assistant, string expected)
    {
        var path = Path.Combine(_dir, ModelSetManifest.FileName);
        System.IO.File.WriteAllText(path, $$"""
            { "name": "s", "kind": "m2ugen", "text_encoder": "m.gguf", "decoder": "m.gguf", "codec": "m.gguf", "assistant": {{assistant}} }
            """);
        Assert.Contains(expected, Assert.Throws<ModelConfigException>(() => ModelSetManifestFile.Read(path)).Message);
    }

    [Fact]
    public void A_missing_assistant_file_is_named_with_its_field()
    {
        var path = Path.Combine(_dir, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, Assistant());
        System.IO.File.Delete(Path.Combine(_dir, "projector.gguf"));
        var e = Assert.Throws<FileNotFoundException>(() => ModelSetLocator.Resolve(_dir));
        Assert.Contains("assistant.projector", e.Message);
        Assert.Contains("projector.gguf", e.Message);
    }
}
