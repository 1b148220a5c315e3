using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Incremental decoding with the KV cache against teacher forcing: a prefill of the first positions and then one
/// position per step must give the logits the whole sequence gives at once (and so transformers' tf_logits).
/// </summary>
public class MusicGenDecoderSessionTests
{
    public static TheoryData<string, int> Splits() => new()
    {
        { "musicgen-tiny", 1 }, { "musicgen-tiny", 10 }, { "musicgen-stereo-tiny", 5 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Prefill_then_single_steps_give_the_teacher_forced_logits(string setName, int prefill)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var (rowsK, n, v) = (ids.GetLength(0), ids.GetLength(1), decoder.Config.VocabSize);
        var teacher = decoder.Forward(ids, conditioning);

        using var session = decoder.StartSession(conditioning, capacity: n);
        var incremental = new float[teacher.Length];
        var first = session.Feed(Columns(ids, 0, prefill), allPositions: true);        // [rowsK, prefill, v]
        for (var r = 0; r < rowsK; r++)
            Array.Copy(first, r * prefill * v, incremental, r * n * v, prefill * v);
        var cacheBytes = session.CacheBytes;
        var computeBytes = decoder.ComputeBytes;
        var tokens = new int[rowsK];
        var step = new float[rowsK * v];
        for (var j = prefill; j < n; j++)
        {
            for (var r = 0; r < rowsK; r++) tokens[r] = ids[r, j];
            session.Step(tokens, step);
            for (var r = 0; r < rowsK; r++) Array.Copy(step, r * v, incremental, (r * n + j) * v, v);
        }
        Assert.Equal(n, session.Position);

        var worst = teacher.Zip(incremental, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 2e-5f, $"cached decoding differs from teacher forcing by up to {worst}");
        ToleranceAssert.Matches(set.Vector("tf_logits"), incremental.Select(x => (double)x).ToArray());
        // the decode loop reused the memory reserved up front
        Assert.Equal(cacheBytes, session.CacheBytes);
        Assert.Equal(computeBytes, decoder.ComputeBytes);
    }

    [Fact]
    public void Steps_across_graph_buckets_and_interleaved_with_other_graphs_stay_exact()
    {
        // 100 positions: the step graph is built for the bucket of 64 slots, then for the remaining 36; a teacher
        // forced call in the middle lays the executor out for another graph, and the kept step graph must cope
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var rng = new Random(11);
        var c = decoder.Config;
        var (n, rowsK, v) = (Math.Min(100, c.MaxPositionEmbeddings), conditioning.Batch * c.NumCodebooks, c.VocabSize);
        var ids = new int[rowsK, n];
        for (var r = 0; r < rowsK; r++)
            for (var j = 0; j < n; j++) ids[r, j] = j == 0 ? c.BosTokenId : rng.Next(v + 1); // the BOS id may recur
        var teacher = decoder.Forward(ids, conditioning);

        using var session = decoder.StartSession(conditioning, capacity: n);
        session.Feed(Columns(ids, 0, 3));
        var worst = WorstStepDifference(session, ids, teacher, v, from: 3, before: j => { if (j == n * 7 / 10) decoder.Forward(Columns(ids, 0, 5), conditioning); });
        Assert.True(worst < 5e-5f, $"cached decoding differs from teacher forcing by up to {worst}");
        Assert.Equal((n - 1) / MusicGenDecoderSession.StepBucket + 1, session.StepGraphsBuilt); // one per bucket the steps reached
    }

    [Fact]
    public void A_half_precision_cache_stays_close_to_teacher_forcing()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var teacher = decoder.Forward(ids, conditioning);
        using var session = decoder.StartSession(conditioning, ids.GetLength(1), MusicGen.Assistant.Native.GgmlType.F16);
        var all = session.Feed(ids, allPositions: true);
        var worst = teacher.Zip(all, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst is > 0f and < 2e-2f, $"an f16 cache moved the logits by {worst}");
    }

    [Fact]
    public void Steps_over_a_half_precision_cache_take_the_fused_attention_and_stay_close_to_teacher_forcing()
    {
        // the fused node reads the f16 cache and an f16 mask; across a bucket boundary its logits stay within f16
        // rounding of teacher forcing (the same bound as the f16 prefill above)
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var c = decoder.Config;
        var (rowsK, v) = (conditioning.Batch * c.NumCodebooks, c.VocabSize);
        var n = Math.Min(MusicGenDecoderSession.StepBucket + 20, c.MaxPositionEmbeddings);
        var rng = new Random(5);
        var ids = new int[rowsK, n];
        for (var r = 0; r < rowsK; r++)
            for (var j = 0; j < n; j++) ids[r, j] = j == 0 ? c.BosTokenId : rng.Next(v);
        var teacher = decoder.Forward(ids, conditioning);

        using var session = decoder.StartSession(conditioning, n, MusicGen.Assistant.Native.GgmlType.F16);
        Assert.True(session.Fused);
        var first = session.Feed(Columns(ids, 0, 2), allPositions: true);
        var worst = 0f;
        for (var r = 0; r < rowsK; r++)
            for (var j = 0; j < 2; j++)
                for (var i = 0; i < v; i++)
                    worst = Math.Max(worst, Math.Abs(first[((long)r * 2 + j) * v + i] - teacher[((long)r * n + j) * v + i]));
        worst = Math.Max(worst, WorstStepDifference(session, ids, teacher, v, from: 2));
        Assert.True(worst is > 0f and < 2e-2f, $"fused attention over an f16 cache moved the logits by {worst}");
        Assert.True(session.StepGraphsBuilt >= (n > MusicGenDecoderSession.StepBucket ? 2 : 1));
    }

    [Fact]
    public void Feeding_past_the_capacity_is_refused()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        using var session = decoder.StartSession(conditioning, capacity: 4);
        session.Feed(Columns(ids, 0, 3));
        var e = Assert.Throws<InvalidOperationException>(() => session.Feed(Columns(ids, 3, 2)));
        Assert.Contains("holds 4 positions; 3 are used and 2 more", e.Message);
        Assert.Equal(3, session.Position);
    }

    [Fact]
    public void Bad_tokens_and_shapes_are_named()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        using var session = decoder.StartSession(conditioning, capacity: 8);
        var c = decoder.Config;
        var (k, rows) = (c.NumCodebooks, conditioning.Batch * c.NumCodebooks);
        var tokens = new int[rows];
        tokens[k + 2] = c.VocabSize + 1; // row 1, codebook 2: past the embedding table's last row
        var e = Assert.Throws<ArgumentException>(() => session.Step(tokens, new float[(long)rows * c.VocabSize]));
        Assert.Contains($"token {c.VocabSize + 1} of row 1, codebook 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => session.Feed(new int[rows + k, 2]));
        Assert.Contains($"{conditioning.Batch + 1} batch rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => decoder.Forward(new int[rows + 1, 2], conditioning));
        Assert.Contains($"multiple of {k} codebooks", e.Message);
        var narrow = MusicGenConditioning.Null(conditioning.Batch, 3, c.HiddenSize + 1);
        e = Assert.Throws<ArgumentException>(() => decoder.StartSession(narrow, 8));
        Assert.Contains($"hidden size is {c.HiddenSize}", e.Message);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => decoder.StartSession(conditioning, c.MaxPositionEmbeddings + 1));
        Assert.Contains($"max_position_embeddings {c.MaxPositionEmbeddings}", tooLong.Message);
    }

    [Fact]
    public void A_fully_masked_condition_gives_finite_logits_equal_to_an_unmasked_zero_condition()
    {
        // the null condition of guidance: zero states, every position blocked; softmax over only-blocked keys is
        // uniform (not NaN), and with zero values the cross-attention adds exactly nothing either way
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Columns(Grids.Matrix(set.Vector("tf_decoder_input_ids")), 0, 6);
        var blocked = decoder.Forward(ids, MusicGenConditioning.Null(2, 5, 48));
        var open = decoder.Forward(ids, new MusicGenConditioning(new float[2 * 5 * 48], null, 2, 5, 48));
        Assert.All(blocked, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(open, blocked);
    }

    // steps the session through columns from.. of ids; the largest difference from the teacher-forced logits [rows, n, v]
    private static float WorstStepDifference(MusicGenDecoderSession session, int[,] ids, float[] teacher, int v, int from, Action<int>? before = null)
    {
        var (rowsK, n) = (ids.GetLength(0), ids.GetLength(1));
        var tokens = new int[rowsK];
        var step = new float[rowsK * v];
        var worst = 0f;
        for (var j = from; j < n; j++)
        {
            before?.Invoke(j);
            for (var r = 0; r < rowsK; r++) tokens[r] = ids[r, j];
            session.Step(tokens, step);
            for (var r = 0; r < rowsK; r++)
                for (var i = 0; i < v; i++)
                    worst = Math.Max(worst, Math.Abs(step[r * v + i] - teacher[((long)r * n + j) * v + i]));
        }
        return worst;
    }

    internal static int[,] Columns(int[,] m, int from, int count)
    {
        var result = new int[m.GetLength(0), count];
        for (var r = 0; r < m.GetLength(0); r++)
            for (var c = 0; c < count; c++) result[r, c] = m[r, from + c];
        return result;
    }
}
