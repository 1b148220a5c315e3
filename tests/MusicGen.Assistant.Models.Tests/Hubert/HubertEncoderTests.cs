using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// The ggml HuBERT encoder on random-weight models of layouts the fixture lacks, against a direct double-precision
/// implementation; padding and chunking invariants; quantized weights; and the errors for bad inputs.
/// </summary>
public sealed class HubertEncoderTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);

    public void Dispose() => _backend.Dispose();

    private static double MaxAbsDiff(ReadOnlySpan<float> actual, double[][] expected)
    {
        var flat = expected.SelectMany(r => r).ToArray();
        Assert.Equal(flat.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < flat.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - flat[i]));
        return worst;
    }

    [Theory]
    [InlineData("stable")]
    [InlineData("group-post")]
    [InlineData("odd-silu")]
    public void Every_hidden_state_matches_a_direct_implementation(string variant)
    {
        var path = RandomHubertModels.Gguf(variant);
        using var encoder = HubertEncoder.Load(path, _backend);
        using var file = GgufFile.Open(path);
        var input = encoder.Preprocessing.Prepare(RandomHubertModels.Signal(1700, seed: 1));
        var expected = new HubertHostReference(file).Forward(input);
        var actual = encoder.Forward(To2D(input))[0];
        Assert.Equal(encoder.Config.HiddenStateCount, actual.Count);
        Assert.Equal(expected[0].Length, actual.Frames);
        for (var s = 0; s < actual.Count; s++)
            Assert.InRange(MaxAbsDiff(actual[s], expected[s]), 0, 5e-5);
        Assert.True(expected[^1].SelectMany(r => r).Max(Math.Abs) > 0.5, "the outputs should not be trivially small");
    }

    [Theory]
    [InlineData("stable")]
    [InlineData("group-post")]
    public void A_padded_batch_with_an_attention_mask_matches_a_direct_implementation(string variant)
    {
        var path = RandomHubertModels.Gguf(variant);
        using var encoder = HubertEncoder.Load(path, _backend);
        using var file = GgufFile.Open(path);
        var reference = new HubertHostReference(file);
        var longer = encoder.Preprocessing.Prepare(RandomHubertModels.Signal(1700, seed: 2));
        var shorter = encoder.Preprocessing.Prepare(RandomHubertModels.Signal(1100, seed: 3));
        var values = new float[2, longer.Length];
        var mask = new int[2, longer.Length];
        for (var s = 0; s < longer.Length; s++)
        {
            (values[0, s], mask[0, s]) = (longer[s], 1);
            (values[1, s], mask[1, s]) = s < shorter.Length ? (shorter[s], 1) : (0f, 0);
        }
        var rows = encoder.Forward(values, mask);
        var paddedShort = Enumerable.Range(0, longer.Length).Select(s => values[1, s]).ToArray();
        var expected = new[] { reference.Forward(longer, longer.Length), reference.Forward(paddedShort, shorter.Length) };
        for (var b = 0; b < 2; b++)
            for (var s = 0; s < rows[b].Count; s++)
                Assert.InRange(MaxAbsDiff(rows[b][s], expected[b][s]), 0, 5e-5);
        Assert.Equal((int)encoder.Config.FrameCount(1100), rows[1].ValidFrames);
        Assert.Equal(rows[0].Frames, rows[1].Frames);
    }

    [Fact]
    public void Padding_leaves_the_real_frames_of_a_layer_normed_model_unchanged()
    {
        using var encoder = HubertEncoder.Load(RandomHubertModels.Gguf("stable"), _backend);
        var a = RandomHubertModels.Signal(2000, seed: 4);
        var b = RandomHubertModels.Signal(1300, seed: 5);
        var batch = encoder.EncodeBatch([a, b]);
        var alone = encoder.Encode(b);
        var width = encoder.Config.HiddenSize;
        Assert.Equal(alone.Frames, batch[1].ValidFrames);
        for (var s = 0; s < alone.Count; s++)
        {
            var real = batch[1][s][..(alone.Frames * width)];
            for (var i = 0; i < real.Length; i++) Assert.InRange(Math.Abs(real[i] - alone[s][i]), 0, 1e-4);
        }
        // the padded frames are still computed (as in transformers), not zeros, and the means leave them out
        Assert.Contains(batch[1].LastHiddenState[(alone.Frames * width)..].ToArray(), x => Math.Abs(x) > 1e-3);
        var means = batch[1].MeanOverTime();
        var direct = alone.MeanOverTime();
        for (var i = 0; i < means.Length; i++) Assert.InRange(Math.Abs(means[i] - direct[i]), 0, 1e-4);
    }

    [Fact]
    public void Conv_chunks_and_query_blocks_do_not_change_the_result()
    {
        using var encoder = HubertEncoder.Load(RandomHubertModels.Gguf("stable"), _backend);
        var signal = RandomHubertModels.Signal(6000, seed: 6);
        var whole = encoder.Encode(signal);
        encoder.ConvChunkFrames = 7;
        encoder.AttentionQueryBlock = 10;
        var pieces = encoder.Encode(signal);
        Assert.True(whole.Frames > 2 * 10, "the input should span several chunks and blocks");
        for (var s = 0; s < whole.Count; s++)
            for (var i = 0; i < whole[s].Length; i++) Assert.InRange(Math.Abs(whole[s][i] - pieces[s][i]), 0, 1e-5);
    }

    [Fact]
    public void Mean_over_time_is_the_average_of_the_valid_frames()
    {
        using var encoder = HubertEncoder.Load(RandomHubertModels.Gguf("odd-silu"), _backend);
        var states = encoder.Encode(RandomHubertModels.Signal(900, seed: 7));
        var means = states.MeanOverTime();
        int width = states.HiddenSize, frames = states.Frames;
        for (var s = 0; s < states.Count; s++)
            for (var h = 0; h < width; h++)
            {
                var sum = 0.0;
                for (var t = 0; t < frames; t++) sum += states[s][t * width + h];
                Assert.Equal(sum / frames, means[s * width + h], 5);
            }
    }

    [Fact]
    public void Quantized_weights_load_and_stay_close_to_f32()
    {
        using var f32 = HubertEncoder.Load(RandomHubertModels.Gguf("blocky"), _backend);
        using var q8 = HubertEncoder.Load(RandomHubertModels.Gguf("blocky", StorageType.Q8_0), _backend);
        using (var file = GgufFile.Open(RandomHubertModels.Gguf("blocky", StorageType.Q8_0)))
        {
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.Query(0, "weight")).Type);
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.PositionalConvWeight).Type);
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.ConvWeight(1)).Type);
            Assert.Equal(GgmlType.F16, file.GetTensor(HubertKeys.ConvWeight(0)).Type); // 10 taps: not a whole block
            Assert.Equal(GgmlType.F32, file.GetTensor(HubertKeys.AttentionNorm(0, "weight")).Type);
        }
        Assert.True(q8.WeightBytes < f32.WeightBytes / 2);
        var signal = RandomHubertModels.Signal(2400, seed: 8);
        var a = f32.Encode(signal).LastHiddenState.ToArray();
        var b = q8.Encode(signal).LastHiddenState.ToArray();
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.InRange(worst, 1e-6, 0.1);
    }

    [Fact]
    public void Integer_kernels_keep_a_q8_0_encoder_as_close_to_f32_as_ggmls_q8_0_products()
    {
        if (!Int8Products.Enabled) return; // no AVX-VNNI here: the q8_0 model runs on ggml's products only
        var signal = RandomHubertModels.Signal(2400, seed: 8);
        using var f32 = HubertEncoder.Load(RandomHubertModels.Gguf("blocky"), _backend);
        using var packed = HubertEncoder.Load(RandomHubertModels.Gguf("blocky", StorageType.Q8_0), _backend);
        HubertEncoder ggml;
        using (Int8Products.Suspended()) ggml = HubertEncoder.Load(RandomHubertModels.Gguf("blocky", StorageType.Q8_0), _backend);
        using (ggml)
        {
            var exact = f32.Encode(signal).LastHiddenState.ToArray();
            var ours = packed.Encode(signal).LastHiddenState.ToArray();
            var theirs = ggml.Encode(signal).LastHiddenState.ToArray();
            Assert.NotEqual(theirs, ours); // the integer kernels ran (attention, convs and products)
            var (oursError, theirsError) = (ErrorMetrics.RelativeRms(ours, exact), ErrorMetrics.RelativeRms(theirs, exact));
            Assert.True(oursError <= 1.5 * theirsError, $"integer kernels {oursError:E2} from f32, ggml's q8_0 products {theirsError:E2}");
        }
    }

    [Fact]
    public void A_waveform_shorter_than_one_frame_is_refused()
    {
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(HubertFixtures.Tiny), _backend);
        var field = encoder.Config.ReceptiveField;
        var e = Assert.Throws<ArgumentException>(() => encoder.Encode(new float[field - 1]));
        Assert.Contains($"{field - 1} samples, fewer than the {field} samples one output frame needs", e.Message);
        Assert.Equal(1, encoder.Encode(new float[field]).Frames);
    }

    [Fact]
    public void Attention_masks_that_are_not_right_padded_or_not_binary_are_refused()
    {
        using var encoder = HubertEncoder.Load(HubertFixtures.Gguf(HubertFixtures.Tiny), _backend);
        // rows long enough for a few frames; the short row is one sample less than a frame's view
        var field = encoder.Config.ReceptiveField;
        var n = 2 * field + 200;
        var values = new float[2, n];
        var mask = new int[2, n];
        for (var s = 0; s < n; s++) mask[0, s] = mask[1, s] = 1;
        mask[1, 500] = 0;
        var e = Assert.Throws<ArgumentException>(() => encoder.Forward(values, mask));
        Assert.Contains("attention_mask row 1 is not right-padded: sample 501 is real after padding from sample 500", e.Message);
        mask[1, 500] = 2;
        e = Assert.Throws<ArgumentException>(() => encoder.Forward(values, mask));
        Assert.Contains("attention_mask[1, 500] = 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => encoder.Forward(values, new int[2, n - 1]));
        Assert.Contains($"attention_mask [2, {n - 1}] does not match input_values [2, {n}]", e.Message);
        for (var s = 0; s < n; s++) mask[1, s] = s < field - 1 ? 1 : 0;
        e = Assert.Throws<ArgumentException>(() => encoder.Forward(values, mask));
        Assert.Contains($"input row 1 has {field - 1} samples", e.Message);
    }

    [Fact]
    public void A_file_without_the_encoder_or_with_a_misshapen_tensor_is_refused()
    {
        var plan = new HubertRandomPlan(RandomHubertModels.Variant("stable"), seed: 1);
        var wrong = RandomHubertModels.Variant("stable") with { IntermediateSize = 30 };
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-hubert-bad-").FullName, "bad.gguf");
        GgufConverter.Write(new AlteredPlan(plan, wrong), path, StorageType.F32, "test");
        var e = Assert.Throws<ModelWeightsException>(() => HubertEncoder.Load(path, _backend));
        Assert.Contains("tensor 'hubert.enc.blk.0.ffn_up.weight' has shape [16, 24], expected [16, 30]", e.Message);

        var missing = Path.Combine(Path.GetDirectoryName(path)!, "missing.gguf");
        GgufConverter.Write(new AlteredPlan(plan, RandomHubertModels.Variant("stable"), HubertKeys.PositionalConvBias), missing, StorageType.F32, "test");
        e = Assert.Throws<ModelWeightsException>(() => HubertEncoder.Load(missing, _backend));
        Assert.Contains("missing tensor 'hubert.pos_conv.bias'", e.Message);

        var musicgen = Encodec.ConvertedFixtures.Gguf(Testing.FixtureSet.ByName("musicgen-tiny"));
        var c = Assert.Throws<ModelConfigException>(() => HubertEncoder.Load(musicgen, _backend));
        Assert.Contains("no HuBERT / MERT encoder in this GGUF (missing 'hubert.hidden_size')", c.Message);
    }

    private static float[,] To2D(float[] row)
    {
        var m = new float[1, row.Length];
        for (var i = 0; i < row.Length; i++) m[0, i] = row[i];
        return m;
    }

    /// <summary>A plan's tensors under other metadata, optionally without some tensors: files that must be refused.</summary>
    private sealed class AlteredPlan(IConversionPlan inner, HubertConfig metadata, params string[] without) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors { get; } = inner.Tensors.Where(t => !without.Contains(t.Name)).ToList();
        public void WriteMetadata(GgufWriter writer) => HubertMetadata.Write(writer, metadata, new HubertPreprocessing { SamplingRate = 24000 });
    }
}
