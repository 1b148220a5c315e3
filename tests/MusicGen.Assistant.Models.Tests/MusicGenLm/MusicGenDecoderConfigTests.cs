using System.Text.Json.Nodes;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class MusicGenDecoderConfigTests
{
    [Fact]
    public void The_fixture_configs_are_read_from_the_decoder_part()
    {
        var mono = MusicGenFixtures.Config(FixtureSet.ByName("musicgen-tiny"));
        Assert.Equal((64, 48, 2, 4, 96, 4, 1, 128, 64), (mono.VocabSize, mono.HiddenSize, mono.NumHiddenLayers, mono.NumAttentionHeads,
            mono.FfnDim, mono.NumCodebooks, mono.AudioChannels, mono.MaxPositionEmbeddings, mono.PadTokenId));
        Assert.Equal(12, mono.HeadDim);
        Assert.Equal(65, mono.EmbeddingRows);
        var stereo = MusicGenFixtures.Config(FixtureSet.ByName("musicgen-stereo-tiny"));
        Assert.Equal((8, 2, 4), (stereo.NumCodebooks, stereo.AudioChannels, stereo.ChannelCodebooks));
    }

    [Fact]
    public void A_head_count_that_does_not_divide_the_width_is_refused_by_name()
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(d => d["num_attention_heads"] = 5));
        Assert.Contains("num_attention_heads 5 does not divide hidden_size 48", e.Message);
        Assert.Contains("test.json", e.Message);
    }

    [Theory]
    [InlineData("activation_function", "relu", "activation_function 'relu'")]
    [InlineData("audio_channels", 3, "audio_channels 3")]
    [InlineData("num_codebooks", 0, "num_codebooks 0")]
    [InlineData("pad_token_id", 65, "pad_token_id 65")]
    [InlineData("hidden_size", "wide", "'decoder.hidden_size' should be an integer")]
    public void Bad_settings_are_named(string key, object value, string expected)
    {
        var e = Assert.Throws<ModelConfigException>(() => Parse(d => d[key] = JsonValue.Create(value)));
        Assert.Contains(expected, e.Message);
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
