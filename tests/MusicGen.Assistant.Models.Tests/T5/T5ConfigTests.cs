using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.T5;

public class T5ConfigTests
{
    [Fact]
    public void Reads_the_text_encoder_of_a_musicgen_config()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        var c = T5Config.FromHuggingFaceJson(File.ReadAllText(set.ConfigPath), set.ConfigPath);
        Assert.Equal(new T5Config
        {
            VocabSize = 512, DModel = 32, DKv = 8, DFf = 64, NumLayers = 2, NumHeads = 4, RelativeAttentionNumBuckets = 32,
            RelativeAttentionMaxDistance = 128, FeedForwardProj = "relu", LayerNormEpsilon = 1e-6,
        }, c);
        Assert.False(c.IsGated);
        Assert.Equal(T5Activation.Relu, c.Activation);
        Assert.Equal(32, c.InnerDim);
    }

    [Fact]
    public void Reads_a_standalone_t5_config_with_transformers_defaults()
    {
        var c = T5Config.FromHuggingFaceJson("""{"model_type": "t5", "d_model": 768, "num_layers": 12, "num_heads": 12, "d_ff": 3072}""", "t5.json");
        Assert.Equal(T5Config.T5Base, c);
        Assert.Equal(32128, c.VocabSize);
        Assert.Equal(64, c.DKv);
        Assert.Equal(1e-6, c.LayerNormEpsilon);
    }

    [Theory]
    [InlineData("relu", false, T5Activation.Relu)]
    [InlineData("gelu", false, T5Activation.Gelu)]
    [InlineData("gated-gelu", true, T5Activation.GeluNew)] // transformers keeps this alias for flan-t5 / t5 v1.1
    [InlineData("gated-gelu_new", true, T5Activation.GeluNew)]
    [InlineData("gated-relu", true, T5Activation.Relu)]
    [InlineData("gated-silu", true, T5Activation.Silu)]
    public void Feed_forward_kinds(string text, bool gated, T5Activation activation)
    {
        var c = new T5Config { FeedForwardProj = text }.Validate();
        Assert.Equal(gated, c.IsGated);
        Assert.Equal(activation, c.Activation);
    }

    [Theory]
    [InlineData("""{"model_type": "t5", "feed_forward_proj": "relu-gated"}""", "feed_forward_proj 'relu-gated' is not of the form")]
    [InlineData("""{"model_type": "t5", "feed_forward_proj": "gated-tanh"}""", "activation 'tanh' is not supported")]
    [InlineData("""{"model_type": "t5", "d_model": "wide"}""", "'d_model' should be an integer, found \"wide\"")]
    [InlineData("""{"model_type": "t5", "num_heads": 0}""", "num_heads 0 must be positive")]
    [InlineData("""{"model_type": "t5", "relative_attention_num_buckets": 2}""", "relative_attention_num_buckets 2 must be at least 4")]
    [InlineData("""{"model_type": "t5", "relative_attention_max_distance": 8}""", "relative_attention_max_distance 8 must exceed the 8 exact buckets")]
    [InlineData("""{"model_type": "t5", "layer_norm_epsilon": -1}""", "layer_norm_epsilon -1 must be positive")]
    [InlineData("""{"model_type": "musicgen", "text_encoder": {"model_type": "bert"}}""", "neither a T5 config nor a config with a T5 'text_encoder'")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"model_type": """, "not valid JSON")]
    public void Bad_configs_are_refused_naming_the_field(string json, string message)
    {
        var e = Assert.Throws<ModelConfigException>(() => T5Config.FromHuggingFaceJson(json, "cfg.json"));
        Assert.StartsWith("cfg.json: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Round_trips_through_gguf_metadata()
    {
        var config = RandomT5Models.Small("gated-gelu") with { LayerNormEpsilon = 1e-5 };
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-t5-meta-").FullName, "t5.gguf");
        GgufConverter.Write(new T5RandomPlan(config, seed: 2), path, StorageType.F32, "test");
        using var file = GgufFile.Open(path);
        Assert.Equal(config, T5Metadata.Read(file.Metadata));
        Assert.Equal("t5", file.Metadata.GetString("general.architecture"));
    }

    [Fact]
    public void Missing_or_incomplete_metadata_is_named()
    {
        var config = RandomT5Models.Small("relu");
        var plan = new T5RandomPlan(config, seed: 2);
        var dir = Directory.CreateTempSubdirectory("mga-t5-meta-").FullName;
        var none = Path.Combine(dir, "none.gguf");
        GgufConverter.Write(new NoMetadata(plan), none, StorageType.F32, "test");
        using (var file = GgufFile.Open(none))
            Assert.Contains("no T5 text encoder in this GGUF (missing 't5.d_model')",
                Assert.Throws<ModelConfigException>(() => T5Metadata.Read(file.Metadata)).Message);
        var partial = Path.Combine(dir, "partial.gguf");
        GgufConverter.Write(new NoMetadata(plan, T5Keys.DModel), partial, StorageType.F32, "test");
        using (var file = GgufFile.Open(partial))
        {
            var e = Assert.Throws<ModelConfigException>(() => T5Metadata.Read(file.Metadata));
            Assert.Contains("T5 metadata is incomplete", e.Message);
            Assert.Contains(T5Keys.VocabSize, e.Message);
        }
    }

    // writes only the listed metadata keys (with made-up valid values) and the plan's tensors
    private sealed class NoMetadata(IConversionPlan inner, params string[] keys) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors => inner.Tensors;
        public void WriteMetadata(GgufWriter writer) { foreach (var k in keys) writer.SetMetadata(k, 16); }
    }
}
