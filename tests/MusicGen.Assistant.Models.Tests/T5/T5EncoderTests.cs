using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// The ggml T5 encoder on random-weight models: against a direct double-precision implementation for every feed-forward
/// kind, padding and batching invariants, quantized weights, and the errors for bad inputs and inconsistent files.
/// </summary>
public sealed class T5EncoderTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);

    public void Dispose() => _backend.Dispose();

    private static double MaxAbsDiff(IReadOnlyList<float> a, IReadOnlyList<double> b)
    {
        Assert.Equal(b.Count, a.Count);
        return Enumerable.Range(0, a.Count).Max(i => Math.Abs(a[i] - b[i]));
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("gated-gelu")]
    [InlineData("gelu")]
    [InlineData("gated-silu")]
    public void Matches_a_direct_implementation(string feedForward)
    {
        var config = RandomT5Models.Small(feedForward);
        var path = RandomT5Models.Gguf(feedForward, config);
        using var encoder = T5Encoder.Load(path, _backend);
        using var file = GgufFile.Open(path);
        // 20 positions reach offsets beyond max_distance 12: exact, log-spaced and capped buckets; row 1 is padded
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 20, 20, 13);
        var expected = new T5HostReference(file).Encode(ids, mask);
        var actual = encoder.Encode(ids, mask);
        // float32 rounding only (the fixtures allow 3e-5 on outputs of this size)
        Assert.InRange(MaxAbsDiff(actual, expected), 0, 3e-5);
        Assert.True(expected.Max(Math.Abs) > 0.5, "the outputs should not be trivially small");
    }

    [Fact]
    public void Padding_leaves_the_real_positions_unchanged()
    {
        var config = RandomT5Models.Small("relu");
        using var encoder = T5Encoder.Load(RandomT5Models.Gguf("relu", config), _backend);
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 15, 9);
        var padded = encoder.Encode(ids, mask);
        var shortIds = new int[1, 9];
        for (var t = 0; t < 9; t++) shortIds[0, t] = ids[0, t];
        var alone = encoder.Encode(shortIds, Ones(1, 9));
        Assert.InRange(MaxAbsDiff(padded.Take(9 * config.DModel).ToArray(), alone.Select(x => (double)x).ToArray()), 0, 1e-5);
        // the padded positions are still computed (as in transformers), not zeros
        Assert.Contains(padded.Skip(9 * config.DModel), x => Math.Abs(x) > 1e-3);
    }

    [Fact]
    public void Rows_of_a_batch_are_independent_and_an_all_padding_row_stays_finite()
    {
        var config = RandomT5Models.Small("gated-gelu");
        using var encoder = T5Encoder.Load(RandomT5Models.Gguf("gated-gelu", config), _backend);
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 11, 11, 6, 0);
        var batch = encoder.Encode(ids, mask);
        var width = 11 * config.DModel;
        for (var b = 0; b < 3; b++)
        {
            var rowIds = new int[1, 11];
            var rowMask = new int[1, 11];
            for (var t = 0; t < 11; t++) (rowIds[0, t], rowMask[0, t]) = (ids[b, t], mask[b, t]);
            var alone = encoder.Encode(rowIds, rowMask);
            Assert.InRange(MaxAbsDiff(batch.Skip(b * width).Take(width).ToArray(), alone.Select(x => (double)x).ToArray()), 0, 1e-5);
        }
        // transformers' finite mask makes a fully padded row attend uniformly instead of producing NaN
        Assert.All(batch.Skip(2 * width), x => Assert.True(float.IsFinite(x)));
        using var file = GgufFile.Open(RandomT5Models.Gguf("gated-gelu", config));
        var expected = new T5HostReference(file).Encode(ids, mask);
        Assert.InRange(MaxAbsDiff(batch, expected), 0, 3e-5);
    }

    [Fact]
    public void Quantized_weights_stay_close_to_f32()
    {
        var config = RandomT5Models.Blocky;
        using var f32 = T5Encoder.Load(RandomT5Models.Gguf("blocky", config), _backend);
        using var q8 = T5Encoder.Load(RandomT5Models.Gguf("blocky", config, storage: StorageType.Q8_0), _backend);
        using (var file = GgufFile.Open(RandomT5Models.Gguf("blocky", config, storage: StorageType.Q8_0)))
        {
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(T5Keys.Query(0)).Type);
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(T5Keys.TokenEmbedding).Type);
            Assert.Equal(GgmlType.F32, file.GetTensor(T5Keys.AttentionNorm(0)).Type);
            Assert.Equal(GgmlType.F32, file.GetTensor(T5Keys.RelativeAttentionBias).Type);
        }
        Assert.True(q8.WeightBytes < f32.WeightBytes / 3, $"q8_0 {q8.WeightBytes} bytes vs f32 {f32.WeightBytes}");
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 12, 12, 7);
        var exact = f32.Encode(ids, mask);
        var quantized = q8.Encode(ids, mask);
        var scale = exact.Max(Math.Abs);
        var worst = MaxAbsDiff(quantized, exact.Select(x => (double)x).ToArray());
        var mean = exact.Zip(quantized, (a, b) => Math.Abs(a - b)).Average();
        // different (it is quantized), but close: about 0.5% of the largest value on average through two random layers
        Assert.True(worst > 1e-7 && worst < 0.1 * scale && mean < 0.01 * scale, $"worst {worst}, mean {mean}, largest value {scale}");
    }

    [Fact]
    public void Bad_inputs_are_refused_naming_the_problem()
    {
        var config = RandomT5Models.Small("relu");
        using var encoder = T5Encoder.Load(RandomT5Models.Gguf("relu", config), _backend);
        var ids = new int[2, 4];
        ids[1, 2] = 50;
        Assert.Contains("input_ids[1, 2] = 50 is outside the vocabulary [0, 50)",
            Assert.Throws<ArgumentException>(() => encoder.Encode(ids, Ones(2, 4))).Message);
        ids[1, 2] = 0;
        Assert.Contains("attention_mask [2, 3] does not match input_ids [2, 4]",
            Assert.Throws<ArgumentException>(() => encoder.Encode(ids, Ones(2, 3))).Message);
        var mask = Ones(2, 4);
        mask[0, 3] = 2;
        Assert.Contains("attention_mask[0, 3] = 2",
            Assert.Throws<ArgumentException>(() => encoder.Encode(ids, mask)).Message);
        Assert.Contains("is empty", Assert.Throws<ArgumentException>(() => encoder.Encode(new int[1, 0], new int[1, 0])).Message);
        Assert.Contains("must keep the 4 positions",
            Assert.Throws<ArgumentException>(() => encoder.Encode(ids, Ones(2, 4), (ctx, h) => ctx.SumRows(ctx.Cont(ctx.Transpose(h))))).Message);
    }

    [Fact]
    public void Files_that_disagree_with_their_config_are_refused_naming_the_setting()
    {
        var config = RandomT5Models.Small("relu");
        var plan = new T5RandomPlan(config, seed: 1);
        var heads = RandomT5Models.AlteredGguf("wrong-heads", new RandomT5Models.Altered(plan, config with { NumHeads = 2, DKv = 12 }));
        var e = Assert.Throws<ModelConfigException>(() => T5Encoder.Load(heads, _backend));
        Assert.Contains($"num_heads is 2, but '{T5Keys.RelativeAttentionBias}' holds a bias for 3 heads", e.Message);
        Assert.Contains("projects to 24", Assert.Throws<ModelConfigException>(() =>
            T5Encoder.Load(RandomT5Models.AlteredGguf("wrong-dkv", new RandomT5Models.Altered(plan, config with { DKv = 4 })), _backend)).Message);
        var missing = RandomT5Models.AlteredGguf("no-ffn", new RandomT5Models.Altered(plan, config, T5Keys.Down(1)));
        Assert.Contains($"missing tensor '{T5Keys.Down(1)}'", Assert.Throws<ModelWeightsException>(() => T5Encoder.Load(missing, _backend)).Message);
        var gated = RandomT5Models.AlteredGguf("not-gated", new RandomT5Models.Altered(plan, config with { FeedForwardProj = "gated-gelu" }));
        Assert.Contains($"missing tensor '{T5Keys.Gate(0)}'", Assert.Throws<ModelWeightsException>(() => T5Encoder.Load(gated, _backend)).Message);
        var wide = RandomT5Models.AlteredGguf("wrong-dmodel", new RandomT5Models.Altered(plan, config with { DModel = 32 }));
        Assert.Contains($"'{T5Keys.TokenEmbedding}' has shape [16, 50], expected [32, 50]",
            Assert.Throws<ModelWeightsException>(() => T5Encoder.Load(wide, _backend)).Message);
    }

    private static int[,] Ones(int rows, int columns)
    {
        var m = new int[rows, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) m[r, c] = 1;
        return m;
    }
}
