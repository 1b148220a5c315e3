using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The whole-set conversion on altered checkpoints: the released layout (encoders and MusicGen inside the checkpoint
/// under their prefixes), zero gates warned about, a missing tensor named, a projector that does not fit MusicGen's
/// text width or a tokenizer that does not fit the LLaMA refused before anything is written.
/// </summary>
public class M2UGenSetErrorTests
{
    private static string Output() => Directory.CreateTempSubdirectory("mga-m2ugen-set-err-").FullName;

    [Fact]
    public void Encoders_and_musicgen_inside_the_checkpoint_are_read_from_it_with_the_folders_configs()
    {
        // the released checkpoints hold mert_model.*, vit_model.*, vivit_model.* and generation_model.*
        var extra = new List<(string, long[], byte[])>();
        var sets = M2UGenSetFixture.EncoderSets().Select(e => (M2UGenSetPlan.Encoder(e.Key).Prefix, e.Value))
            .Append((M2UGenSetPlan.GenerationPrefix, M2UGenSetFixture.MusicGen));
        foreach (var (prefix, set) in sets)
        {
            using var source = SafetensorsCheckpoint.OpenDirectory(set.Directory);
            foreach (var t in source.Tensors)
            {
                Assert.Equal(SafetensorsDType.F32, t.DType);
                extra.Add((prefix + t.Name, t.Shape, source.GetBytes(t.Name).ToArray()));
            }
        }
        var dir = DerivedCheckpoints.Make("released-layout", (n, s, b) => (n, s, b), null, [.. extra]);
        // the folders give configs only: point them at copies without weights, so the weights can only come from the checkpoint
        var folders = M2UGenSetFixture.EncoderSets().ToDictionary(e => e.Key, e => ConfigOnly(e.Value));
        var sources = M2UGenSetFixture.Sources(dir, ConfigOnly(M2UGenSetFixture.MusicGen)) with { EncoderFolders = folders };
        var result = M2UGenSetConversion.Convert(sources, Output(), StorageType.F32);

        foreach (var part in result.Files.Where(f => f.Part.EndsWith("encoder", StringComparison.Ordinal) || f.Part == "musicgen"))
        {
            Assert.Contains("_model.*", part.Source);
            var set = part.Part == "musicgen" ? M2UGenSetFixture.MusicGen : M2UGenSetFixture.EncoderSets().Single(e => part.Part == $"{e.Key.Name()} encoder").Value;
            using var ours = GgufFile.Open(part.Result.Path);
            using var alone = GgufFile.Open(ConvertedFixtures.Gguf(set));
            Assert.Equal(alone.Tensors.Select(t => t.Name), ours.Tensors.Select(t => t.Name));
            foreach (var t in alone.Tensors) Assert.True(alone.GetTensorBytes(t).SequenceEqual(ours.GetTensorBytes(t.Name)), $"{part.Part}: {t.Name}");
        }
    }

    [Fact]
    public void A_checkpoint_holding_an_encoder_without_its_folder_is_refused_and_a_missing_encoder_is_noted()
    {
        using (var vit = SafetensorsCheckpoint.OpenDirectory(M2UGenSetFixture.EncoderSets()[M2UGenModality.Image].Directory))
        {
            var dir = DerivedCheckpoints.Make("vit-inside", (n, s, b) => (n, s, b), null,
                [.. vit.Tensors.Select(t => ("vit_model." + t.Name, t.Shape, vit.GetBytes(t.Name).ToArray()))]);
            var without = M2UGenSetFixture.Sources(dir) with
            {
                EncoderFolders = M2UGenSetFixture.EncoderSets().Where(e => e.Key != M2UGenModality.Image).ToDictionary(e => e.Key, e => e.Value.Directory),
            };
            var e = Assert.Throws<ModelConfigException>(() => M2UGenSetConversion.Convert(without, Output(), StorageType.F32));
            Assert.Contains("holds the image encoder (vit_model.*)", e.Message);
            Assert.Contains("--vit", e.Message);
        }

        var noVideo = M2UGenSetFixture.Sources(DerivedCheckpoints.Set.Directory) with
        {
            EncoderFolders = M2UGenSetFixture.EncoderSets().Where(e => e.Key != M2UGenModality.Video).ToDictionary(e => e.Key, e => e.Value.Directory),
        };
        var result = M2UGenSetConversion.Convert(noVideo, Output(), StorageType.F32);
        Assert.Contains(result.Notes, n => n.Contains("video encoder is not in the checkpoint") && n.Contains("--vivit"));
        Assert.DoesNotContain(M2UGenModality.Video, result.Manifest.Assistant!.EncoderPaths.Keys);
    }

    [Fact]
    public void A_modality_whose_gates_are_all_zero_is_warned_about()
    {
        var layers = M2UGenSetFixture.Config()["adapters"]!["image_layers"]!.AsArray().Select(x => x!.GetValue<int>()).ToHashSet();
        var dir = DerivedCheckpoints.Make("zero-image-gates", (n, s, b) =>
            layers.Any(l => n == M2UGenLlamaCheckpointKeys.Gate(l)) ? (n, s, new byte[b.Length]) : (n, s, b));
        var result = M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(dir), Output(), StorageType.F32);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("every image adapter gate is zero", warning);
        Assert.Contains("cannot reach the answer", warning);
        var image = result.Gates.Summaries.Single(s => s.Modality == M2UGenModality.Image);
        Assert.True(image.AllZero);
        Assert.Contains(result.Gates.Lines(), l => l.Contains("(all zero)"));
        Assert.All(result.Gates.Summaries.Where(s => s.Modality != M2UGenModality.Image), s => Assert.False(s.AllZero));
    }

    [Fact]
    public void In_the_summed_layout_every_injected_layer_reports_all_three_modalities()
    {
        // the older layout: prefix_query has r rows (not 3 groups) and the last r layers each take music + image + video
        var config = M2UGenSetFixture.Config();
        config["adapters"]!["layout"] = "summed";
        const int rows = 4;
        var dir = DerivedCheckpoints.Make("summed-layout", (n, s, b) => n == M2UGenLlamaCheckpointKeys.PrefixQuery
            ? (n, [rows, s[1]], b[..(int)(rows * s[1] * sizeof(float))]) : (n, s, b), config.ToJsonString());
        var result = M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(dir), Output(), StorageType.F32);
        var gates = result.Gates;
        Assert.Equal(AdapterLayout.Summed, gates.Injection.Layout);
        var layerCount = config["llama"]!["n_layers"]!.GetValue<int>();
        Assert.Equal(Enumerable.Range(layerCount - rows, rows), gates.Layers.Select(l => l.Layer));
        Assert.All(gates.Layers, l => Assert.Equal(M2UGenModalities.All, l.Modalities));
        Assert.Single(gates.Summaries.Select(s => (s.Min, s.Max, s.Mean)).Distinct());
        Assert.Contains("summed layout", gates.Lines()[0]);
    }

    [Theory]
    [InlineData("output_projector.model.bias")]
    [InlineData("llama.layers.5.attention.gate")]
    [InlineData("iu_vivit_f2_2.weight")]
    [InlineData("llama.layers.1.feed_forward.w3.weight")]
    public void A_checkpoint_missing_a_part_names_the_missing_tensor(string dropped)
    {
        var dir = DerivedCheckpoints.Without("set-missing", dropped);
        var output = Output();
        var e = Assert.ThrowsAny<Exception>(() => M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(dir), output, StorageType.F32));
        Assert.True(e is ModelWeightsException or ModelConfigException, e.GetType().Name);
        Assert.Contains($"'{dropped}'", e.Message);
        Assert.False(File.Exists(Path.Combine(output, ModelSetManifest.FileName)));
    }

    [Fact]
    public void A_projector_that_does_not_fit_musicgens_text_width_is_refused_before_writing()
    {
        var config = JsonNode.Parse(File.ReadAllText(M2UGenSetFixture.MusicGen.ConfigPath))!;
        var width = config["text_encoder"]!["d_model"]!.GetValue<int>() + 16;
        config["text_encoder"]!["d_model"] = width;
        var musicgen = ConfigOnly(M2UGenSetFixture.MusicGen, config.ToJsonString());
        var output = Output();
        var e = Assert.Throws<ModelConfigException>(() => M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(DerivedCheckpoints.Set.Directory, musicgen), output, StorageType.F32));
        Assert.Contains("out_dim is", e.Message);
        Assert.Contains($"is {width} wide", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    [Fact]
    public void A_tokenizer_that_does_not_fit_the_llama_is_refused()
    {
        // one more vocabulary row than base pieces + 8 [AUD] tokens
        var rows = new[] { M2UGenLlamaCheckpointKeys.TokenEmbeddings, M2UGenLlamaCheckpointKeys.Output };
        var dir = DerivedCheckpoints.Make("vocab-plus-one", (n, s, b) =>
            rows.Contains(n) ? (n, [s[0] + 1, s[1]], [.. b, .. new byte[s[1] * sizeof(float)]]) : (n, s, b));
        var e = Assert.Throws<ModelConfigException>(() => M2UGenSetConversion.Convert(M2UGenSetFixture.Sources(dir), Output(), StorageType.F32));
        Assert.Contains("+ 8 [AUD] tokens", e.Message);
        Assert.Contains("vocabulary rows", e.Message);

        var t5 = M2UGenSetFixture.Sources(DerivedCheckpoints.Set.Directory) with { LlamaTokenizer = M2UGenSetFixture.T5Tokenizer };
        Assert.Contains(Path.GetFileName(M2UGenSetFixture.T5Tokenizer), Assert.ThrowsAny<Exception>(() => M2UGenSetConversion.Convert(t5, Output(), StorageType.F32)).Message);

        var noT5 = M2UGenSetFixture.Sources(DerivedCheckpoints.Set.Directory) with { T5Tokenizer = null };
        Assert.Contains("--t5-tokenizer", Assert.Throws<ModelConfigException>(() => M2UGenSetConversion.Convert(noT5, Output(), StorageType.F32)).Message);
    }

    [Fact]
    public void Something_else_than_an_m2ugen_checkpoint_is_refused()
    {
        var sources = M2UGenSetFixture.Sources(M2UGenSetFixture.MusicGen.Directory);
        Assert.Contains("not an M2UGen checkpoint", Assert.Throws<ModelConfigException>(() => M2UGenSetConversion.Convert(sources, Output(), StorageType.F32)).Message);
    }

    // a copy of a fixture folder with its config.json (and preprocessor_config.json) but no weights
    private static string ConfigOnly(FixtureSet set, string? configJson = null)
    {
        var dir = Directory.CreateTempSubdirectory($"mga-config-only-{set.Name}-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), configJson ?? File.ReadAllText(set.ConfigPath));
        foreach (var extra in new[] { "preprocessor_config.json", "generation_config.json" }.Select(n => Path.Combine(set.Directory, n)).Where(File.Exists))
            File.Copy(extra, Path.Combine(dir, Path.GetFileName(extra)));
        return dir;
    }
}
