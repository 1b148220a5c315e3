using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>The ggml encoder on settings the fixtures lack (checked against a double-precision host pass), and its input checks.</summary>
public class VisionEncoderTests
{
    public static TheoryData<string> OddModels() => ["vit", "vivit"];

    private static VisionTransformerConfig Odd(string name) => name == "vit" ? RandomVisionModels.OddViT : RandomVisionModels.OddViViT;

    [Theory]
    [MemberData(nameof(OddModels))]
    public void A_random_model_matches_the_host_reference(string name)
    {
        var config = Odd(name);
        var path = RandomVisionModels.Gguf(name, config);
        var pixels = RandomVisionModels.Pixels(config, batch: 2, seed: 3);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(path, config.Family, backend);
        Assert.Equal(config, encoder.Config);
        var output = encoder.Encode(pixels, hiddenStates: true);
        using var file = GgufFile.Open(path);
        var (states, last, pooled) = VisionHostReference.Run(file, config, pixels);

        Assert.Equal([2, config.SequenceLength, config.HiddenSize], new[] { output.Batch, output.SequenceLength, output.HiddenSize });
        for (var i = 0; i < states.Length; i++) Close(states[i], output.HiddenStates[i], $"hidden_states[{i}]");
        Close(last, output.LastHiddenState, "last_hidden_state");
        Close(pooled!, output.PoolerOutput!, "pooler_output");
    }

    [Fact]
    public void Every_activation_matches_the_host_reference()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        foreach (var act in new[] { "gelu", "gelu_fast", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish" })
        {
            var config = RandomVisionModels.OddViT with { HiddenAct = act, NumHiddenLayers = 1 };
            var path = RandomVisionModels.Gguf("act-" + act, config);
            var pixels = RandomVisionModels.Pixels(config, batch: 1, seed: 4);
            using var encoder = VisionEncoder.Load(path, VisionFamily.ViT, backend);
            using var file = GgufFile.Open(path);
            Close(VisionHostReference.Run(file, config, pixels).Last, encoder.Encode(pixels).LastHiddenState, act);
        }
    }

    [Fact]
    public void A_model_without_a_pooler_returns_no_pooler_output()
    {
        var config = RandomVisionModels.OddViT;
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(RandomVisionModels.Gguf("no-pooler", config, pooler: false), VisionFamily.ViT, backend);
        Assert.False(encoder.HasPooler);
        var output = encoder.Encode(RandomVisionModels.Pixels(config, 1, 1));
        Assert.Null(output.PoolerOutput);
        Assert.Equal(config.SequenceLength * config.HiddenSize, output.LastHiddenState.Length);
    }

    [Fact]
    public void Q8_0_weights_stay_close_to_f32()
    {
        var set = FixtureSet.ByName("vit-tiny");
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(set, StorageType.Q8_0));
        Assert.Equal(GgmlType.Q8_0, file.GetTensor(VisionKeys.ViT.PatchWeight).Type);
        Assert.Equal(GgmlType.Q8_0, file.GetTensor(VisionKeys.ViT.Block(1, VisionKeys.Down) + ".weight").Type);
        Assert.Equal(GgmlType.F32, file.GetTensor(VisionKeys.ViT.PositionEmbedding).Type);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var quantized = VisionEncoder.Load(file, VisionFamily.ViT, backend);
        using var exact = VisionEncoder.Load(ConvertedFixtures.Gguf(set), VisionFamily.ViT, backend);
        var pixels = VisionFixtures.Pixels(set.Vector("pixel_values"));
        var a = quantized.Encode(pixels).LastHiddenState;
        var b = exact.Encode(pixels).LastHiddenState;
        var errors = a.Select((x, i) => Math.Abs(x - b[i])).ToArray();
        // changed by quantization (weights and, inside the products, activations in 8-bit blocks), but only a little
        // next to values up to ~3
        Assert.InRange(errors.Max(), 1e-6, 0.1);
        Assert.InRange(errors.Average(), 1e-7, 0.03);
    }

    [Theory]
    [InlineData("vit-tiny", VisionFamily.ViT)]
    [InlineData("vivit-tiny", VisionFamily.ViViT)]
    public void Integer_kernels_keep_a_q8_0_encoder_as_close_to_f32_as_ggmls_q8_0_products(string name, VisionFamily family)
    {
        if (!Int8Products.Enabled) return; // no AVX-VNNI here: the q8_0 model runs on ggml's products only
        var set = FixtureSet.ByName(name);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var exact = VisionEncoder.Load(ConvertedFixtures.Gguf(set), family, backend);
        using var packed = VisionEncoder.Load(ConvertedFixtures.Gguf(set, StorageType.Q8_0), family, backend);
        VisionEncoder ggml;
        using (Int8Products.Suspended()) ggml = VisionEncoder.Load(ConvertedFixtures.Gguf(set, StorageType.Q8_0), family, backend);
        using (ggml)
        {
            var pixels = VisionFixtures.Pixels(set.Vector("pixel_values"));
            var b = exact.Encode(pixels).LastHiddenState;
            var ours = packed.Encode(pixels).LastHiddenState;
            var theirs = ggml.Encode(pixels).LastHiddenState;
            Assert.NotEqual(theirs, ours); // the integer kernels ran
            double Error(float[] a) => ErrorMetrics.RelativeRms(a, b);
            Assert.True(Error(ours) <= 1.5 * Error(theirs), $"integer kernels {Error(ours):E2} from f32, ggml's q8_0 products {Error(theirs):E2}");
        }
    }

    [Fact]
    public void Inputs_of_the_wrong_size_are_refused_with_the_expected_size()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var vit = VisionEncoder.Load(ConvertedFixtures.Gguf(FixtureSet.ByName("vit-tiny")), VisionFamily.ViT, backend);
        var (c, h, w) = (vit.Config.NumChannels, vit.Config.ImageHeight, vit.Config.ImageWidth);
        var e = Assert.Throws<ArgumentException>(() => vit.Encode(PixelValues.Images(new float[c * (h / 2) * (w + 1)], 1, c, h / 2, w + 1)));
        Assert.Contains($"ViT expects {h}×{w} (height×width, config image_size) pixels, got {h / 2}×{w + 1}", e.Message);
        e = Assert.Throws<ArgumentException>(() => vit.Encode(PixelValues.Images(new float[(c + 1) * h * w], 1, c + 1, h, w)));
        Assert.Contains($"ViT expects {c} channels (config num_channels), got {c + 1}", e.Message);
        e = Assert.Throws<ArgumentException>(() => vit.Encode(PixelValues.Videos(new float[2 * c * h * w], 1, 2, c, h, w)));
        Assert.Contains("ViT encodes single images", e.Message);

        using var vivit = VisionEncoder.Load(ConvertedFixtures.Gguf(FixtureSet.ByName("vivit-tiny")), VisionFamily.ViViT, backend);
        var (frames, vc, vh, vw) = (vivit.Config.NumFrames, vivit.Config.NumChannels, vivit.Config.ImageHeight, vivit.Config.ImageWidth);
        e = Assert.Throws<ArgumentException>(() => vivit.Encode(PixelValues.Videos(new float[(frames / 2) * vc * vh * vw], 1, frames / 2, vc, vh, vw)));
        Assert.Contains($"ViViT expects clips of {frames} frames (config num_frames), got {frames / 2} frames", e.Message);

        e = Assert.Throws<ArgumentException>(() => new PixelValues(new float[10], 1, 1, 3, 2, 2));
        Assert.Contains("pixel_values [1, 1, 3, 2, 2] needs 12 values, got 10", e.Message);
    }

    [Fact]
    public void Loading_a_family_the_file_does_not_hold_names_it()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        var e = Assert.Throws<ModelConfigException>(() => VisionEncoder.Load(ConvertedFixtures.Gguf(FixtureSet.ByName("vit-tiny")), VisionFamily.ViViT, backend));
        Assert.Contains("no ViViT encoder in this GGUF (missing 'vivit.hidden_size')", e.Message);
    }

    [Fact]
    public void A_file_missing_a_tensor_or_with_a_wrong_shape_is_refused_by_name()
    {
        var config = RandomVisionModels.OddViT;
        var dir = Directory.CreateTempSubdirectory("mga-vision-bad-").FullName;
        var missing = Path.Combine(dir, "missing.gguf");
        var down = VisionKeys.ViT.Block(1, VisionKeys.Down) + ".weight";
        GgufConverter.Write(new Altered(new VisionRandomPlan(config, 1), config, without: down), missing, StorageType.F32, "test");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        var e = Assert.Throws<ModelWeightsException>(() => VisionEncoder.Load(missing, VisionFamily.ViT, backend));
        Assert.Contains($"missing tensor '{down}' (expected shape [24, 16])", e.Message);

        // the metadata says intermediate size 32, the tensors are for 24
        var wrong = Path.Combine(dir, "wrong.gguf");
        GgufConverter.Write(new Altered(new VisionRandomPlan(config, 1), config with { IntermediateSize = 32 }), wrong, StorageType.F32, "test");
        e = Assert.Throws<ModelWeightsException>(() => VisionEncoder.Load(wrong, VisionFamily.ViT, backend));
        Assert.Contains($"tensor '{VisionKeys.ViT.Block(0, VisionKeys.Up)}.weight' has shape [16, 24], expected [16, 32]", e.Message);
    }

    private static void Close(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            if (Math.Abs(actual[i] - expected[i]) > 1e-4 + 1e-3 * Math.Abs(expected[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>A plan's tensors with other metadata, or with some tensors left out: files that must be refused.</summary>
    private sealed class Altered(IConversionPlan inner, VisionTransformerConfig metadata, params string[] without) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors { get; } = inner.Tensors.Where(t => !without.Contains(t.Name)).ToList();
        public void WriteMetadata(GgufWriter writer) => VisionMetadata.Write(writer, metadata);
    }
}
