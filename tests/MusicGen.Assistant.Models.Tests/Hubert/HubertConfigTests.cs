using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Hubert;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>Reading HuBERT / MERT configs and preprocessor configs: values, derived sizes, and refusals naming the field.</summary>
public class HubertConfigTests
{
    private static string FixtureConfig => File.ReadAllText(HubertFixtures.Tiny.ConfigPath);

    private static JsonObject Json => JsonNode.Parse(FixtureConfig)!.AsObject();

    /// <summary>The text with {key} replaced by the fixture config's value and {#key} by the length of its list (+1 with {#key+1}).</summary>
    private static string Fill(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\{(#?)([a-z_]+)(\+1)?\}", m =>
    {
        var node = Json[m.Groups[2].Value]!;
        var value = m.Groups[1].Value == "#" ? node.AsArray().Count : node.GetValue<int>();
        return (value + (m.Groups[3].Success ? 1 : 0)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    [Fact]
    public void The_fixture_config_is_read_field_by_field()
    {
        var json = Json;
        int Int(string key) => json[key]!.GetValue<int>();
        int[] Ints(string key) => json[key]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        var c = HubertConfig.FromHuggingFaceJson(FixtureConfig, "config.json");
        Assert.Equal(Int("hidden_size"), c.HiddenSize);
        Assert.Equal(Int("num_hidden_layers"), c.NumHiddenLayers);
        Assert.Equal(Int("num_attention_heads"), c.NumAttentionHeads);
        Assert.Equal(Int("intermediate_size"), c.IntermediateSize);
        Assert.Equal(Ints("conv_dim"), c.ConvDim);
        Assert.Equal(Ints("conv_kernel"), c.ConvKernel);
        Assert.Equal(Ints("conv_stride"), c.ConvStride);
        Assert.Equal(json["conv_bias"]!.GetValue<bool>(), c.ConvBias);
        Assert.Equal(json["feat_extract_norm"]!.GetValue<string>() == "layer", c.UsesLayerNormConvs);
        Assert.Equal(json["do_stable_layer_norm"]!.GetValue<bool>(), c.DoStableLayerNorm);
        Assert.Equal(json["feat_proj_layer_norm"]?.GetValue<bool>() ?? true, c.FeatProjLayerNorm);
        Assert.Equal((Int("num_conv_pos_embeddings"), Int("num_conv_pos_embedding_groups")), (c.NumConvPosEmbeddings, c.NumConvPosEmbeddingGroups));
        Assert.Equal(json["layer_norm_eps"]!.GetValue<double>(), c.LayerNormEps);
        Assert.Equal(Int("num_hidden_layers") + 1, c.HiddenStateCount);
        // samples per frame: the product of the strides; samples one frame sees: the receptive field of the stack
        Assert.Equal(Ints("conv_stride").Aggregate(1, (a, b) => a * b), c.FrameStride);
        var field = 1;
        for (var i = Ints("conv_kernel").Length - 1; i >= 0; i--) field = (field - 1) * Ints("conv_stride")[i] + Ints("conv_kernel")[i];
        Assert.Equal(field, c.ReceptiveField);
        // transformers' own frame count for the fixture waveform
        var set = HubertFixtures.Tiny;
        Assert.Equal(set.Vector("conv_features").Shape[2], c.FrameCount(set.Vector("raw_waveform").Shape[0]));
        Assert.Equal(0, c.FrameCount(field - 1));
        Assert.Equal(1, c.FrameCount(field));
        Assert.Equal((60 * 24000 - field) / c.FrameStride + 1, c.FrameCount(60 * 24000));
    }

    [Fact]
    public void Frame_counts_follow_the_per_layer_formula_and_the_receptive_field()
    {
        var c = RandomHubertModels.Variant("odd-silu");                                          // kernels 7, 3; strides 4, 2
        Assert.Equal(8, c.FrameStride);
        Assert.Equal((3 - 1) * 4 + 7, c.ReceptiveField);
        for (var samples = 0; samples < 400; samples++)
        {
            long layered = samples;
            for (var i = 0; i < c.ConvLayers && layered > 0; i++)
                layered = layered < c.ConvKernel[i] ? 0 : (layered - c.ConvKernel[i]) / c.ConvStride[i] + 1;
            Assert.Equal(layered, c.FrameCount(samples));
            Assert.Equal(samples < c.ReceptiveField ? 0 : (samples - c.ReceptiveField) / c.FrameStride + 1, c.FrameCount(samples));
        }
    }

    [Fact]
    public void A_mert_config_with_its_extra_keys_is_accepted()
    {
        var json = JsonNode.Parse(FixtureConfig)!.AsObject();
        json["model_type"] = "mert_model";
        json["architectures"] = new JsonArray("MERTModel");
        json["attention_relax"] = 32.0;
        json["sample_rate"] = 24000;
        json["feature_extractor_cqt"] = false;
        json["feature_extractor_cqt_bins"] = 336;
        json["deepnorm"] = false;
        json["auto_map"] = new JsonObject { ["AutoModel"] = "modeling_MERT.MERTModel" };
        var c = HubertConfig.FromHuggingFaceJson(json.ToJsonString(), "config.json");
        Assert.Equal(HubertConfig.FromHuggingFaceJson(FixtureConfig, "config.json"), c);
    }

    [Theory]
    [InlineData("feature_extractor_cqt", "true", "'feature_extractor_cqt' is true: MERT's CQT features")]
    [InlineData("deepnorm", "true", "'deepnorm' is true")]
    [InlineData("conv_pos_batch_norm", "true", "'conv_pos_batch_norm' is true")]
    [InlineData("feat_extract_norm", "\"batch\"", "feat_extract_norm 'batch' must be 'group' or 'layer'")]
    [InlineData("conv_stride", "[5]", "conv_dim ({#conv_dim}), conv_stride (1) and conv_kernel ({#conv_kernel}) must have the same length")]
    [InlineData("num_attention_heads", "251", "num_attention_heads 251 must divide hidden_size {hidden_size}")]
    [InlineData("num_conv_pos_embedding_groups", "251", "num_conv_pos_embedding_groups 251 must divide hidden_size {hidden_size}")]
    [InlineData("hidden_act", "\"gelu_fast\"", "hidden_act 'gelu_fast' is not supported")]
    [InlineData("feat_extract_activation", "\"tanh\"", "feat_extract_activation 'tanh' is not supported")]
    [InlineData("hidden_size", "\"big\"", "'hidden_size' should be an integer")]
    [InlineData("num_feat_extract_layers", "{#conv_dim+1}", "num_feat_extract_layers {#conv_dim+1} differs from the {#conv_dim} entries of conv_dim")]
    [InlineData("model_type", "\"wav2vec2\"", "model_type 'wav2vec2' is not a HuBERT-architecture encoder")]
    [InlineData("layer_norm_eps", "0", "layer_norm_eps 0 must be positive")]
    public void A_setting_that_cannot_run_is_refused_by_name(string key, string value, string message)
    {
        var json = JsonNode.Parse(FixtureConfig)!.AsObject();
        Assert.True(key != "conv_stride" || json["conv_dim"]!.AsArray().Count != 1, "the fixture has one conv layer: the mismatch case needs another length");
        json[key] = JsonNode.Parse(Fill(value));
        var e = Assert.Throws<ModelConfigException>(() => HubertConfig.FromHuggingFaceJson(json.ToJsonString(), "some/config.json"));
        Assert.StartsWith("some/config.json: ", e.Message);
        Assert.Contains(Fill(message), e.Message);
    }

    [Fact]
    public void The_preprocessor_config_is_read_and_its_normalization_is_zero_mean_unit_variance()
    {
        var path = Path.Combine(HubertFixtures.Tiny.Directory, "preprocessor_config.json");
        var p = HubertPreprocessing.FromHuggingFaceJson(File.ReadAllText(path), path);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(new HubertPreprocessing
        {
            SamplingRate = json["sampling_rate"]!.GetValue<int>(), DoNormalize = json["do_normalize"]!.GetValue<bool>(),
            PaddingValue = (float)json["padding_value"]!.GetValue<double>(), ReturnAttentionMask = json["return_attention_mask"]!.GetValue<bool>(),
        }, p);
        var prepared = p.Prepare([1f, 2f, 3f, 4f]);
        // mean 2.5, population variance 1.25
        var scale = 1 / Math.Sqrt(1.25 + 1e-7);
        Assert.Equal([(float)(-1.5 * scale), (float)(-0.5 * scale), (float)(0.5 * scale), (float)(1.5 * scale)], prepared);
        Assert.Equal([1f, 2f], (p with { DoNormalize = false }).Prepare([1f, 2f]));
    }

    [Theory]
    [InlineData("padding_side", "\"left\"", "padding_side 'left' (only right padding is supported)")]
    [InlineData("feature_size", "2", "feature_size 2 (only raw mono waveforms")]
    [InlineData("feature_extractor_type", "\"WhisperFeatureExtractor\"", "feature_extractor_type 'WhisperFeatureExtractor' is not supported")]
    [InlineData("sampling_rate", "0", "sampling_rate 0 must be positive")]
    public void A_preprocessor_setting_that_cannot_run_is_refused_by_name(string key, string value, string message)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(HubertFixtures.Tiny.Directory, "preprocessor_config.json")))!.AsObject();
        json[key] = JsonNode.Parse(value);
        var e = Assert.Throws<ModelConfigException>(() => HubertPreprocessing.FromHuggingFaceJson(json.ToJsonString(), "pre.json"));
        Assert.StartsWith("pre.json: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Metadata_round_trips_and_a_missing_key_is_named()
    {
        foreach (var variant in new[] { "stable", "group-post", "odd-silu" })
        {
            using var file = GgufFile.Open(RandomHubertModels.Gguf(variant));
            var (config, preprocessing) = HubertMetadata.Read(file.Metadata);
            Assert.Equal(RandomHubertModels.Variant(variant), config);
            Assert.Equal(new HubertPreprocessing { SamplingRate = 24000, ReturnAttentionMask = true }, preprocessing);
        }
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-hubert-meta-").FullName, "partial.gguf");
        GgufConverter.Write(new WithoutKey(new HubertRandomPlan(RandomHubertModels.Variant("stable"), 1), HubertKeys.ConvKernel), path, StorageType.F32, "test");
        using var partial = GgufFile.Open(path);
        var e = Assert.Throws<ModelConfigException>(() => HubertMetadata.Read(partial.Metadata));
        Assert.Contains("HuBERT metadata is incomplete", e.Message);
        Assert.Contains(HubertKeys.ConvKernel, e.Message);
    }

    /// <summary>A plan whose metadata lacks one key.</summary>
    private sealed class WithoutKey(IConversionPlan inner, string key) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors => inner.Tensors;

        public void WriteMetadata(GgufWriter writer)
        {
            var staging = new GgufWriter(new MemoryStream());
            inner.WriteMetadata(staging);
            foreach (var entry in staging.Metadata.Where(e => e.Key != key && !e.Key.StartsWith("general.", StringComparison.Ordinal)))
                writer.SetMetadata(entry.Key, entry.Value);
        }
    }
}
