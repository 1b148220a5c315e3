using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class MusicGenDecoderConfigTests
{
    [Fact]
    public void The_fixture_configs_are_read_from_the_decoder_part()
    {
        var monoSet = FixtureSet.ByName("musicgen-tiny");
        var d = monoSet.Config["decoder"]!;
        int Int(JsonNode node, string key, int fallback) => node[key]?.GetValue<int>() ?? fallback;
        var mono = MusicGenFixtures.Config(monoSet);
        Assert.Equal((d["vocab_size"]!.GetValue<int>(), d["hidden_size"]!.GetValue<int>(), d["num_hidden_layers"]!.GetValue<int>(),
                d["num_attention_heads"]!.GetValue<int>(), d["ffn_dim"]!.GetValue<int>(), d["num_codebooks"]!.GetValue<int>(),
                Int(d, "audio_channels", 1), d["max_position_embeddings"]!.GetValue<int>(), d["pad_token_id"]!.GetValue<int>()),
            (mono.VocabSize, mono.HiddenSize, mono.NumHiddenLayers, mono.NumAttentionHeads,
                mono.FfnDim, mono.NumCodebooks, mono.AudioChannels, mono.MaxPositionEmbeddings, mono.PadTokenId));
        Assert.Equal(mono.HiddenSize / mono.NumAttentionHeads, mono.HeadDim);
        Assert.Equal(mono.VocabSize + 1, mono.EmbeddingRows);
        var stereoSet = FixtureSet.ByName("musicgen-stereo-tiny");
        var sd = stereoSet.Config["decoder"]!;
        var stereo = MusicGenFixtures.Config(stereoSet);
        Assert.Equal((sd["num_codebooks"]!.GetValue<int>(), 2, sd["num_codebooks"]!.GetValue<int>() / 2), (stereo.NumCodebooks, stereo.AudioChannels, stereo.ChannelCodebooks));
    }

    [Fact]
    public void A_head_count_that_does_not_divide_the_width_is_refused_by_name()
    {
        // 251 is prime: it divides no fixture's width
        var e = Assert.Throws<ModelConfigException>(() => Parse(d => d["num_attention_heads"] = 251));
        Assert.Contains($"num_attention_heads 251 does not divide hidden_size {MusicGenFixtures.Config(FixtureSet.ByName("musicgen-tiny")).HiddenSize}", e.Message);
        Assert.Contains("test.json", e.Message);
    }

    [Theory]
    [InlineData("activation_function", "relu", "activation_function 'relu'")]
    [InlineData("audio_channels", 3, "audio_channels 3")]
    [InlineData("num_codebooks", 0, "num_codebooks 0")]
    [InlineData("pad_token_id", "vocab_size + 2", "pad_token_id {vocab_size + 2}")]
    [InlineData("hidden_size", "wide", "'decoder.hidden_size' should be an integer")]
    public void Bad_settings_are_named(string key, object value, string expected)
    {
        // "vocab_size + 2": one row past the embedding tables (vocabulary + the special row) of the fixture decoder
        var past = MusicGenFixtures.Config(FixtureSet.ByName("musicgen-tiny")).VocabSize + 2;
        var e = Assert.Throws<ModelConfigException>(() => Parse(d => d[key] = value is "vocab_size + 2" ? JsonValue.Create(past) : JsonValue.Create(value)));
        Assert.Contains(expected.Replace("{vocab_size + 2}", past.ToString(System.Globalization.CultureInfo.InvariantCulture)), e.Message);
    }

    [Fact]
    public void A_stereo_decoder_needs_an_even_number_of_codebooks()
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(d => { d["audio_channels"] = 2; d["num_codebooks"] = 5; }));
        Assert.Contains("num_codebooks 5", e.Message);
    }

    [Fact]
    public void A_config_without_a_musicgen_decoder_is_refused()
    {
        var e = Assert.Throws<ModelConfigException>(() => MusicGenDecoderConfig.FromHuggingFaceJson("""{"model_type": "encodec"}""", "x.json"));
        Assert.Contains("x.json", e.Message);
        Assert.Contains("musicgen_decoder", e.Message);
        Assert.Throws<ModelConfigException>(() => MusicGenDecoderConfig.FromHuggingFaceJson("not json", "x.json"));
    }

    [Fact]
    public void A_standalone_decoder_config_is_read_too()
    {
        var json = JsonNode.Parse(File.ReadAllText(FixtureSet.ByName("musicgen-tiny").ConfigPath))!["decoder"]!.ToJsonString();
        Assert.Equal(48, MusicGenDecoderConfig.FromHuggingFaceJson(json, "decoder.json").HiddenSize);
    }

    private static MusicGenDecoderConfig Parse(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(FixtureSet.ByName("musicgen-tiny").ConfigPath))!.AsObject();
        edit(root["decoder"]!.AsObject());
        return MusicGenDecoderConfig.FromHuggingFaceJson(root.ToJsonString(), "test.json");
    }
}
