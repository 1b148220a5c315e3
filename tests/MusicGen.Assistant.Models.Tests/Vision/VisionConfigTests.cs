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
        var c = ViTConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath).ToTransformer();
        Assert.Equal(VisionFamily.ViT, c.Family);
        Assert.Equal((32, 2, 4, 64), (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize));
        Assert.Equal((32, 32, 8, 8, 1, 1), (c.ImageHeight, c.ImageWidth, c.PatchHeight, c.PatchWidth, c.NumFrames, c.PatchFrames));
        Assert.Equal(VisionActivation.Gelu, c.Activation);
        Assert.Equal(1e-12, c.LayerNormEps);
        Assert.True(c.QkvBias);
        Assert.Equal((16, 17, 192), (c.NumPatches, c.SequenceLength, c.PatchVectorLength));
    }

    [Fact]
    public void The_vivit_fixture_config_is_read_field_by_field()
    {
        var set = FixtureSet.ByName("vivit-tiny");
        var c = ViViTConfig.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath).ToTransformer();
        Assert.Equal(VisionFamily.ViViT, c.Family);
        Assert.Equal("gelu_fast", c.HiddenAct);
        Assert.Equal(VisionActivation.GeluTanh, c.Activation);
        Assert.Equal(1e-6, c.LayerNormEps);
        Assert.Equal((8, 2, 8, 8), (c.NumFrames, c.PatchFrames, c.PatchHeight, c.PatchWidth));
        Assert.Equal((4, 4, 4), (c.GridFrames, c.GridHeight, c.GridWidth));
        Assert.Equal((64, 65, 3 * 2 * 8 * 8), (c.NumPatches, c.SequenceLength, c.PatchVectorLength));
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
