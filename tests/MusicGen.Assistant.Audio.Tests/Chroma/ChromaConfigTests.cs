using System.Text.Json.Nodes;
using MusicGen.Assistant.Audio.Chroma;

namespace MusicGen.Assistant.Audio.Tests.Chroma;

public class ChromaConfigTests
{
    // MusicgenMelodyFeatureExtractor().to_json_string() as save_pretrained writes it.
    private const string HfDefaults = """
        {
          "chunk_length": 30,
          "feature_extractor_type": "MusicgenMelodyFeatureExtractor",
          "feature_size": 12,
          "hop_length": 4096,
          "n_fft": 16384,
          "n_samples": 960000,
          "padding_side": "right",
          "padding_value": 0.0,
          "return_attention_mask": false,
          "sampling_rate": 32000,
          "stem_indices": [3, 2]
        }
        """;

    [Fact]
    public void Hf_defaults_parse_to_the_default_config()
    {
        var config = ChromaConfig.FromJson(HfDefaults, "test.json");
        Assert.Equal(ChromaConfig.Default, config);
        Assert.Equal(8193, config.FrequencyBins);
        Assert.Equal(960000, config.MaxSamples);
    }

    [Fact]
    public void File_reading_names_a_missing_file()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => ChromaConfig.FromFile(dir.File("preprocessor_config.json")));
        Assert.Contains("preprocessor_config.json", e.Message);
    }

    [Fact]
    public void File_reading_names_the_file_in_errors()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("preprocessor_config.json", System.Text.Encoding.UTF8.GetBytes(Edit(o => o.Remove("n_fft"))));
        var e = Assert.Throws<ChromaConfigException>(() => ChromaConfig.FromFile(path));
        Assert.Equal(path, e.ConfigSource);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData("feature_size")]
    [InlineData("sampling_rate")]
    [InlineData("n_fft")]
    [InlineData("hop_length")]
    [InlineData("chunk_length")]
    public void A_missing_required_field_is_named(string field)
    {
        var e = Assert.Throws<ChromaConfigException>(() => ChromaConfig.FromJson(Edit(o => o.Remove(field)), "cfg.json"));
        Assert.Equal(field, e.Field);
        Assert.Contains($"'{field}' is missing", e.Message);
    }

    [Theory]
    [InlineData("n_fft", "\"big\"", "should be an integer")]
    [InlineData("hop_length", "4096.5", "should be an integer")]
    [InlineData("padding_value", "\"zero\"", "should be a number")]
    [InlineData("padding_side", "3", "should be a string")]
    [InlineData("n_fft", "16383", "even FFT size")]
    [InlineData("n_fft", "0", "even FFT size")]
    [InlineData("hop_length", "0", "1..n_fft")]
    [InlineData("hop_length", "20000", "1..n_fft")]
    [InlineData("sampling_rate", "-32000", "positive rate")]
    [InlineData("feature_size", "0", "positive chroma count")]
    [InlineData("chunk_length", "0", "positive number of seconds")]
    [InlineData("chunk_length", "100000", "positive number of seconds")]
    [InlineData("padding_side", "\"middle\"", "'right' or 'left'")]
    [InlineData("n_samples", "480000", "chunk_length 30 × sampling_rate 32000 = 960000")]
    [InlineData("num_chroma", "24", "feature_size is 12")]
    [InlineData("feature_extractor_type", "\"WhisperFeatureExtractor\"", "expected 'MusicgenMelodyFeatureExtractor'")]
    [InlineData("n_fft", "99999999999", "does not fit a 32-bit integer")]
    public void An_invalid_field_is_named_with_the_problem(string field, string json, string problem)
    {
        string text = Edit(o => o[field] = JsonNode.Parse(json));
        var e = Assert.Throws<ChromaConfigException>(() => ChromaConfig.FromJson(text, "cfg.json"));
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith("cfg.json: ", e.Message);
    }

    [Fact]
    public void Optional_fields_take_the_hf_defaults_and_are_read_when_present()
    {
        var bare = ChromaConfig.FromJson(Edit(o =>
        {
            o.Remove("padding_value");
            o.Remove("padding_side");
            o.Remove("n_samples");
            o.Remove("feature_extractor_type");
        }), "cfg.json");
        Assert.Equal(ChromaConfig.Default, bare);

        var custom = ChromaConfig.FromJson(Edit(o =>
        {
            o["padding_value"] = 0.25;
            o["padding_side"] = "left";
            o["num_chroma"] = 12;
        }), "cfg.json");
        Assert.Equal(0.25f, custom.PaddingValue);
        Assert.True(custom.PadLeft);
    }

    [Theory]
    [InlineData("[1, 2]", "is not a JSON object")]
    [InlineData("{ \"n_fft\": ", "is not valid JSON")]
    public void Text_that_is_not_a_json_object_is_refused(string text, string problem)
    {
        var e = Assert.Throws<ChromaConfigException>(() => ChromaConfig.FromJson(text, "cfg.json"));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Validate_refuses_a_config_built_in_code()
    {
        var e = Assert.Throws<ChromaConfigException>(() => new ChromaExtractor(ChromaConfig.Default with { HopLength = -1 }));
        Assert.Equal("hop_length", e.Field);
    }

    private static string Edit(Action<JsonObject> change)
    {
        var o = JsonNode.Parse(HfDefaults)!.AsObject();
        change(o);
        return o.ToJsonString();
    }
}
