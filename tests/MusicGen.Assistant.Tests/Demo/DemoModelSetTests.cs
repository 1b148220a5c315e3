using MusicGen.Assistant.Demo;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Tests.Helpers;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Tests.Demo;

/// <summary>The demo set's pieces built in code: the tokenizer, the manifest, and how <c>--model</c> is resolved.</summary>
public class DemoModelSetTests
{
    [Theory]
    [InlineData("lo-fi hip hop beat with warm piano")]
    [InlineData("Ünïcødé, 日本語 and 🎹 emoji")]
    [InlineData("  spaces   everywhere  ")]
    public void The_demo_tokenizer_encodes_any_text_and_decodes_it_back(string text)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("spiece.model"), DemoTokenizer.ModelProtoBytes());
        var tokenizer = SentencePieceTokenizer.Load(dir.File("spiece.model"));

        Assert.Equal((0, 1, 2, -1), (tokenizer.PadId, tokenizer.EosId, tokenizer.UnkId, tokenizer.BosId));
        Assert.Equal(DemoTokenizer.VocabSize, tokenizer.VocabSize);
        var ids = tokenizer.Encode(text);
        Assert.DoesNotContain(tokenizer.UnkId, ids);
        Assert.Equal(string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries)), tokenizer.Decode(ids));
    }

    [Fact]
    public void Words_of_the_vocabulary_are_one_piece_and_other_bytes_fall_back()
    {
        var tokenizer = SentencePieceTokenizer.FromModel(SentencePieceModelProto.ReadFile(WriteModel()));
        Assert.Equal(["\u2581piano", "\u2581beat"], tokenizer.EncodePieces("piano beat"));
        Assert.Equal(["\u2581", "<0xC3>", "<0xA9>"], tokenizer.EncodePieces("é"));
    }

    [Fact]
    public void A_manifest_round_trips_with_paths_relative_to_its_folder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("parts"));
        var manifest = new ModelSetManifest
        {
            Name = "x", TextEncoderPath = dir.File("parts/t5.gguf"), DecoderPath = dir.File("parts/lm.gguf"),
            CodecPath = dir.File("codec.gguf"), TokenizerPath = dir.File("parts/spiece.model"), Demo = true, BuildVersion = "v9",
            Defaults = new GenerationDefaults { GuidanceScale = 4.5, TopK = 50, TopP = 0.9, Temperature = 0.8, MaxDurationSeconds = 12 },
        };
        var path = dir.File(ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, manifest);

        Assert.Contains("\"decoder\": \"parts/lm.gguf\"", File.ReadAllText(path));
        Assert.Equal(manifest with { Source = path }, ModelSetManifestFile.Read(path));
    }

    [Fact]
    public void A_folder_or_a_lone_gguf_resolve_to_the_same_files()
    {
        using var dir = new TempDirectory();
        var manifestPath = FixtureModels.WriteTinyManifest(dir.Path);
        var viaFolder = ModelSetSource.Resolve(dir.Path).Manifest;
        Assert.Equal(manifestPath, viaFolder.Source);
        Assert.Equal(FixtureModels.TinyGguf, viaFolder.DecoderPath);
        Assert.Equal(new GenerationDefaults(), viaFolder.Defaults);

        // a lone GGUF: all three parts are the file, the tokenizer is found beside it
        var gguf = dir.File("model.gguf");
        File.Copy(FixtureModels.TinyGguf, gguf);
        File.Copy(FixtureModels.TokenizerPath, dir.File("spiece.model"));
        var lone = ModelSetSource.Resolve(gguf).Manifest;
        Assert.Equal((gguf, gguf, gguf, dir.File("spiece.model"), false), (lone.TextEncoderPath, lone.DecoderPath, lone.CodecPath, lone.TokenizerPath, lone.Demo));
    }

    [Fact]
    public void A_model_that_is_missing_or_not_a_model_is_a_typed_model_set_error()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<Errors.AssistantException>(() => ModelSetSource.Resolve(dir.File("nope.gguf")));
        Assert.Equal((Errors.AssistantErrorKind.ModelSet, $"model '{dir.File("nope.gguf")}' does not exist"), (missing.Kind, missing.Message));
        File.WriteAllText(dir.File("notes.txt"), "hello");
        var other = Assert.Throws<Errors.AssistantException>(() => ModelSetSource.Resolve(dir.File("notes.txt")));
        Assert.Equal(Errors.AssistantErrorKind.ModelSet, other.Kind);
        Assert.Contains("neither a model set manifest (JSON) nor a GGUF file", other.Message);
    }

    private static string WriteModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-demo-spiece-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, DemoTokenizer.ModelProtoBytes());
        return path;
    }
}
