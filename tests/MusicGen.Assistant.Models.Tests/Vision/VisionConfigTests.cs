using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

public class VisionConfigTests
{
    [Fact]
    public void The_vit_fixture_config_is_read_field_by_field()
    {
        var set = FixtureSet.ByName("vit-tiny");
        var json = set.Config;
        int Int(string key) => json[key]!.GetValue<int>();
        var c = ViTConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath).ToTransformer();
        Assert.Equal(VisionFamily.ViT, c.Family);
        Assert.Equal((Int("hidden_size"), Int("num_hidden_layers"), Int("num_attention_heads"), Int("intermediate_size")),
            (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize));
        Assert.Equal((Int("image_size"), Int("image_size"), Int("patch_size"), Int("patch_size"), 1, 1),
            (c.ImageHeight, c.ImageWidth, c.PatchHeight, c.PatchWidth, c.NumFrames, c.PatchFrames));
        Assert.Equal(VisionTransformerConfig.ParseActivation(json["hidden_act"]!.GetValue<string>(), "ViT"), c.Activation);
        Assert.Equal(json["layer_norm_eps"]!.GetValue<double>(), c.LayerNormEps);
        Assert.Equal(json["qkv_bias"]?.GetValue<bool>() ?? true, c.QkvBias);
        // the tokens transformers produced: CLS + one per patch
        var tokens = (int)set.Vector("last_hidden_state").Shape[1];
        var patches = (Int("image_size") / Int("patch_size")) * (Int("image_size") / Int("patch_size"));
        Assert.Equal((tokens - 1, tokens, Int("num_channels") * Int("patch_size") * Int("patch_size")),
            (c.NumPatches, c.SequenceLength, c.PatchVectorLength));
        Assert.Equal(patches, c.NumPatches);
    }

    [Fact]
    public void The_vivit_fixture_config_is_read_field_by_field()
    {
        var set = FixtureSet.ByName("vivit-tiny");
        var json = set.Config;
        int Int(string key) => json[key]!.GetValue<int>();
        var tubelet = json["tubelet_size"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        var c = ViViTConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath).ToTransformer();
        Assert.Equal(VisionFamily.ViViT, c.Family);
        Assert.Equal(json["hidden_act"]!.GetValue<string>(), c.HiddenAct);
        Assert.Equal(VisionTransformerConfig.ParseActivation(c.HiddenAct, "ViViT"), c.Activation);
        Assert.Equal(json["layer_norm_eps"]!.GetValue<double>(), c.LayerNormEps);
        Assert.Equal((Int("num_frames"), tubelet[0], tubelet[1], tubelet[2]), (c.NumFrames, c.PatchFrames, c.PatchHeight, c.PatchWidth));
        Assert.Equal((Int("num_frames") / tubelet[0], Int("image_size") / tubelet[1], Int("image_size") / tubelet[2]), (c.GridFrames, c.GridHeight, c.GridWidth));
        // the tokens transformers produced: CLS + one per tubelet
        var tokens = (int)set.Vector("last_hidden_state").Shape[1];
        Assert.Equal((tokens - 1, tokens, Int("num_channels") * tubelet[0] * tubelet[1] * tubelet[2]), (c.NumPatches, c.SequenceLength, c.PatchVectorLength));
    }

    [Fact]
    public void The_presets_have_the_released_checkpoints_shapes()
    {
        // M2UGen: ViT last_hidden_state (197, 768), ViViT (3137, 768)
        var vit = ViTConfig.Base16_224.ToTransformer();
        Assert.Equal((197, 768, 768), (vit.SequenceLength, vit.HiddenSize, vit.PatchVectorLength));
        var vivit = ViViTConfig.B16x2Kinetics400.ToTransformer();
        Assert.Equal((3137, 768, 1536, 32), (vivit.SequenceLength, vivit.HiddenSize, vivit.PatchVectorLength, vivit.NumFrames));
        Assert.Equal(VisionActivation.GeluTanh, vivit.Activation);
    }

    [Fact]
    public void Sizes_may_be_pairs_and_leftover_pixels_are_dropped()
    {
        var c = ViTConfig.FromHuggingFaceJson("""{"model_type": "vit", "image_size": [30, 20], "patch_size": [8, 6], "hidden_size": 8, "num_attention_heads": 2}""", "c.json").ToTransformer();
        Assert.Equal((30, 20, 8, 6), (c.ImageHeight, c.ImageWidth, c.PatchHeight, c.PatchWidth));
        Assert.Equal((3, 3, 9), (c.GridHeight, c.GridWidth, c.NumPatches)); // as transformers' (30 // 8) * (20 // 6)
    }

    [Theory]
    [InlineData("""{"model_type": "vit", "hidden_act": "mish"}""", "c.json: ViT config: hidden_act 'mish' is not supported")]
    [InlineData("""{"model_type": "vit", "hidden_size": 30, "num_attention_heads": 4}""", "c.json: ViT config: hidden_size 30 is not a multiple of num_attention_heads 4")]
    [InlineData("""{"model_type": "vit", "image_size": "big"}""", "c.json: 'image_size' should be an integer or a list [height, width], found \"big\"")]
    [InlineData("""{"model_type": "vit", "patch_size": 300}""", "c.json: ViT config: patch 1×300×300 is larger than the input 1×224×224")]
    [InlineData("""{"model_type": "vivit"}""", "c.json: model_type is 'vivit', expected 'vit'")]
    [InlineData("""{"model_type": "vit", "layer_norm_eps": -1}""", "c.json: ViT config: layer_norm_eps -1 must be positive")]
    public void A_bad_vit_config_is_refused_naming_the_field(string json, string message)
    {
        var e = Assert.Throws<ModelConfigException>(() => ViTConfig.FromHuggingFaceJson(json, "c.json"));
        Assert.StartsWith(message, e.Message);
    }

    [Theory]
    [InlineData("""{"model_type": "vivit", "tubelet_size": [2, 16]}""", "c.json: ViViT config: tubelet_size [2, 16] should be [frames, height, width]")]
    [InlineData("""{"model_type": "vivit", "num_frames": 0}""", "c.json: ViViT config: num_frames 0 must be positive")]
    [InlineData("""{"model_type": "vivit", "qkv_bias": "yes"}""", "c.json: 'qkv_bias' should be true or false")]
    public void A_bad_vivit_config_is_refused_naming_the_field(string json, string message)
    {
        var e = Assert.Throws<ModelConfigException>(() => ViViTConfig.FromHuggingFaceJson(json, "c.json"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void The_config_survives_a_trip_through_gguf_metadata()
    {
        foreach (var config in new[] { RandomVisionModels.OddViT, RandomVisionModels.OddViViT })
        {
            using var file = GgufFile.Open(RandomVisionModels.Gguf(config.Name.ToLowerInvariant(), config));
            Assert.Equal(config, VisionMetadata.Read(file.Metadata, config.Family));
            Assert.Equal(VisionKeys.For(config.Family).Architecture, file.Metadata.GetString("general.architecture"));
        }
    }

    [Fact]
    public void Incomplete_metadata_names_the_missing_key()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-vision-meta-").FullName, "m.gguf");
        GgufConverter.Write(new NoActivation(new VisionRandomPlan(RandomVisionModels.OddViT, 2)), path, StorageType.F32, "test");
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelConfigException>(() => VisionMetadata.Read(file.Metadata, VisionFamily.ViT));
        Assert.Contains("ViT metadata is incomplete", e.Message);
        Assert.Contains("vit.hidden_act", e.Message);
    }

    // writes every key but the activation
    private sealed class NoActivation(IConversionPlan inner) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors => inner.Tensors;

        public void WriteMetadata(GgufWriter writer)
        {
            using var scratch = new GgufWriter(new MemoryStream());
            inner.WriteMetadata(scratch);
            foreach (var (key, value) in scratch.Metadata)
                if (key != VisionKeys.ViT.HiddenAct) writer.SetMetadata(key, value);
        }
    }
}
