using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Models.Tests.T5;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.Common;

/// <summary>
/// Sizes read from config.json or GGUF metadata are checked against each family's declared limits before anything
/// is sized by them, and config files that are not valid JSON or UTF-8, or hold a value of the wrong type or range,
/// are refused naming the file, the field and what was expected.
/// </summary>
public sealed class ConfigLimitsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mga-limits-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A small random EnCodec GGUF whose metadata then says <paramref name="key"/> = <paramref name="value"/>.</summary>
    private string EncodecGgufWith(string key, GgufValue value)
    {
        var config = new EncodecConfig
        {
            SamplingRate = 8000, NumFilters = 2, HiddenSize = 8, CodebookSize = 16, CodebookDim = 8, UpsamplingRatios = [2, 2],
            NumLstmLayers = 1, TargetBandwidths = [40.0], Compress = 2,
        };
        var seed = Path.Combine(_folder, "seed.gguf");
        GgufConverter.Write(new EncodecRandomPlan(config, 1), seed, StorageType.F32, "test");
        using var file = GgufFile.Open(seed);
        var path = Path.Combine(_folder, "changed.gguf");
        using var writer = new GgufWriter(path);
        foreach (var (k, v) in file.Metadata) writer.SetMetadata(k, k == key ? value : v);
        foreach (var t in file.Tensors) writer.AddTensor(t.Name, t.Type, t.Ne);
        writer.WriteHeader();
        foreach (var t in file.Tensors) writer.WriteTensorData(t.Name, file.GetTensorBytes(t));
        writer.Finish();
        return path;
    }

    [Theory]
    [InlineData(100_000, "num_lstm_layers 100000 exceeds 16")]
    [InlineData(int.MaxValue, "exceeds 16")]
    [InlineData(-1, "num_lstm_layers -1 must be non-negative")]
    public void A_huge_lstm_layer_count_in_gguf_is_refused_before_ggml_sizes_anything(int layers, string expected)
    {
        // before the limits, this count sized a ggml context and the process died in a GGML_ASSERT
        var path = EncodecGgufWith(EncodecKeys.NumLstmLayers, layers);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var e = Assert.Throws<ModelConfigException>(() => EncodecCodec.Load(path, backend));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_layer_count_within_the_limit_but_beyond_the_file_names_the_missing_tensor()
    {
        var path = EncodecGgufWith(EncodecKeys.NumLstmLayers, EncodecConfig.Limits.LstmLayers);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var e = Assert.Throws<ModelWeightsException>(() => EncodecCodec.Load(path, backend));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing tensor", e.Message);
    }

    public static TheoryData<string, string, long, string> HugeSizes => new()
    {
        { "encodec", "num_residual_layers", 1_000_000, "num_residual_layers 1000000 exceeds" },
        { "encodec", "codebook_size", 1 << 30, "codebook_size 1073741824 exceeds" },
        { "encodec", "upsampling_ratios", 0, "hop length" },
        { "t5", "num_layers", 100_000, "num_layers 100000 exceeds" },
        { "t5", "d_model", 1 << 30, "d_model 1073741824 exceeds" },
        { "decoder", "num_codebooks", 1_000_000, "num_codebooks 1000000 exceeds" },
        { "decoder", "max_position_embeddings", int.MaxValue, "max_position_embeddings 2147483647 exceeds" },
        { "decoder", "num_hidden_layers", 50_000, "num_hidden_layers 50000 exceeds" },
        { "hubert", "num_hidden_layers", 1_000_000, "num_hidden_layers 1000000 exceeds" },
        { "vit", "image_size", 1 << 20, "image height 1048576 exceeds" },
        { "vivit", "num_frames", 1 << 20, "num_frames 1048576 exceeds" },
    };

    [Theory]
    [MemberData(nameof(HugeSizes))]
    public void Huge_sizes_in_config_json_are_refused_naming_the_field_and_the_limit(string family, string key, long value, string expected)
    {
        var (json, read) = family switch
        {
            "encodec" => ("""{"model_type": "encodec"}""", (Action<string, string>)((j, s) => EncodecConfig.FromHuggingFaceJson(j, s))),
            "t5" => ("""{"model_type": "t5"}""", (j, s) => T5Config.FromHuggingFaceJson(j, s)),
            "decoder" => ("""{"model_type": "musicgen_decoder"}""", (j, s) => MusicGenDecoderConfig.FromHuggingFaceJson(j, s)),
            "hubert" => ("""{"model_type": "hubert"}""", (j, s) => HubertConfig.FromHuggingFaceJson(j, s)),
            "vit" => ("""{"model_type": "vit"}""", (j, s) => ViTConfig.FromHuggingFaceJson(j, s)),
            _ => ("""{"model_type": "vivit"}""", (j, s) => ViViTConfig.FromHuggingFaceJson(j, s)),
        };
        var root = JsonNode.Parse(json)!.AsObject();
        root[key] = key == "upsampling_ratios" ? new JsonArray(64, 64, 64, 64, 64, 64, 64, 64) : JsonValue.Create(value);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ModelConfigException>(() => read(root.ToJsonString(), "my/config.json"));
        Assert.StartsWith("my/config.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("""{"model_type": "musicgen_decoder", "num_hidden_layers": 1e20}""", "'num_hidden_layers' should be an integer")]
    [InlineData("""{"model_type": "musicgen_decoder", "num_hidden_layers": 4294967296}""", "'num_hidden_layers' should be an integer in -2147483648..2147483647, found 4294967296")]
    [InlineData("""{"model_type": "musicgen_decoder", "num_hidden_layers": "24"}""", "'num_hidden_layers' should be an integer, found \"24\"")]
    [InlineData("""{"model_type": "musicgen", "decoder": {"model_type": "musicgen_decoder", "num_codebooks": [4]}}""", "'decoder.num_codebooks' should be an integer, found [4]")]
    [InlineData("""{"model_type": "musicgen", "decoder": 7}""", "'decoder' should be an object, found 7")]
    [InlineData("""{"model_type": 5}""", "'model_type' should be a string, found 5")]
    [InlineData("""{"model_type": "musicgen_decoder", "hidden_size": 48,""", "not valid JSON")]
    [InlineData("""[1, 2]""", "expected a JSON object, found a list")]
    public void Malformed_values_are_named_with_their_field_and_expected_type(string json, string expected)
    {
        var e = Assert.Throws<ModelConfigException>(() => MusicGenDecoderConfig.FromHuggingFaceJson(json, "set/config.json"));
        Assert.StartsWith("set/config.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Target_bandwidths_of_the_wrong_type_name_the_element()
    {
        var e = Assert.Throws<ModelConfigException>(() =>
            EncodecConfig.FromHuggingFaceJson("""{"model_type": "encodec", "target_bandwidths": [1.5, "x"]}""", "c.json"));
        Assert.Contains("'target_bandwidths[1]' should be a finite number, found \"x\"", e.Message);
    }

    [Fact]
    public void A_config_file_that_is_not_utf8_is_refused_naming_the_file_and_offset()
    {
        var prefix = Encoding.UTF8.GetBytes("{\"model_type\": \"t5\", \"x\": \"");
        var path = Write("config.json", [.. prefix, 0xFF, .. Encoding.UTF8.GetBytes("\"}")]);
        var e = Assert.Throws<ModelConfigException>(() => HfConfigJson.ReadFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains($"byte offset {prefix.Length}", e.Message);
    }

    [Fact]
    public void A_config_file_larger_than_any_config_is_refused_without_reading_it()
    {
        var path = Path.Combine(_folder, "config.json");
        using (var stream = File.Create(path)) stream.SetLength(HfConfigJson.MaxConfigBytes + 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelConfigException>(() => HfConfigJson.ReadFile(path));
        Assert.Contains(path, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void A_text_longer_than_t5_takes_is_refused_naming_the_limit_before_allocating()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var encoder = T5Encoder.Load(RandomT5Models.Gguf("small-relu", RandomT5Models.Small("relu")), backend);
        var length = T5Config.Limits.InputTokens + 1;
        var ids = new int[1, length];
        var mask = new int[1, length];
        for (var t = 0; t < length; t++) mask[0, t] = 1;
        var e = Assert.Throws<ArgumentException>(() => encoder.Encode(ids, mask));
        Assert.Contains($"{length} tokens", e.Message);
        Assert.Contains($"at most {T5Config.Limits.InputTokens}", e.Message);
        // the limit itself still runs
        var ok = new int[1, T5Config.Limits.InputTokens];
        var okMask = new int[1, T5Config.Limits.InputTokens];
        for (var t = 0; t < okMask.Length; t++) okMask[0, t] = 1;
        Assert.Equal(T5Config.Limits.InputTokens * encoder.Config.DModel, encoder.Encode(ok, okMask).Length);
    }

    [Fact]
    public void Encodec_layer_lists_grow_linearly_with_the_residual_layer_count()
    {
        // the dilation of residual layer j is growth^j: computed by multiplying as the loop goes, not by a power
        // loop per layer (which made the layer list quadratic in num_residual_layers)
        var config = new EncodecConfig { NumResidualLayers = EncodecConfig.Limits.ResidualLayers, DilationGrowthRate = 2 }.Validate();
        var residuals = EncodecLayers.Encoder(config).OfType<ResidualBlockSpec>().Take(config.NumResidualLayers).ToList();
        Assert.Equal(Enumerable.Range(0, config.NumResidualLayers).Select(j => 1 << j), residuals.Select(r => r.First.Dilation));
    }
}
