using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// MusicGen-Melody's decoder against transformers 4.40.2 on every melody fixture set: the conditioning prefix
/// [projected chroma tiled to chroma_length | projected text] (tf_encoder_hidden_states), the teacher-forced logits of
/// prefix and tokens (tf_logits), and the KV-cached session (prefix prefilled once) against teacher forcing.
/// </summary>
[Trait("Category", "Parity")]
public class MelodyDecoderParityTests
{
    public static TheoryData<string> SetsWithTeacherForcedLogits()
    {
        var data = new TheoryData<string>();
        foreach (var name in SetNames()) data.Add(name);
        return data;
    }

    private static IEnumerable<string> SetNames() =>
        MelodyFixtures.Sets().Where(s => s.Vectors.Any(v => v.Name == "tf_logits")).Select(s => s.Name);

    [Theory]
    [MemberData(nameof(SetsWithTeacherForcedLogits))]
    public void The_conditioning_prefix_matches_transformers(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        var prefix = MelodyFixtures.BuiltPrefix(set, backend, "tf_text_input_ids", "tf_text_attention_mask", "tf_input_features");
        ToleranceAssert.Matches(set.Vector("tf_encoder_hidden_states"), prefix.HiddenStates.Select(x => (double)x).ToArray(),
            [prefix.Batch, prefix.Length, prefix.Dim]);
    }

    [Theory]
    [MemberData(nameof(SetsWithTeacherForcedLogits))]
    public void Teacher_forced_logits_of_prefix_and_tokens_match_transformers(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        Assert.True(decoder.Config.IsMelody);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var prefix = MelodyFixtures.RecordedPrefix(set, "tf_encoder_hidden_states");
        var logits = decoder.Forward(ids, prefix);
        ToleranceAssert.Matches(set.Vector("tf_logits"), logits.Select(x => (double)x).ToArray(),
            [ids.GetLength(0), prefix.Length + ids.GetLength(1), decoder.Config.VocabSize]);
    }

    [Theory]
    [MemberData(nameof(SetsWithTeacherForcedLogits))]
    public void A_session_prefills_the_prefix_once_then_steps_to_the_teacher_forced_logits(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var prefix = MelodyFixtures.RecordedPrefix(set, "tf_encoder_hidden_states");
        var (rowsK, n, v, p) = (ids.GetLength(0), ids.GetLength(1), decoder.Config.VocabSize, prefix.Length);
        var teacher = decoder.Forward(ids, prefix); // [rowsK, p + n, v]

        using var session = decoder.StartSession(prefix, capacity: n);
        Assert.Equal(p, session.PrefixLength);
        Assert.Equal(p, session.Position);
        Assert.Equal(p + n, session.Capacity);
        const int prefill = 3;
        var first = session.Feed(Columns(ids, 0, prefill), allPositions: true);
        var worst = 0f;
        for (var r = 0; r < rowsK; r++)
            for (var j = 0; j < prefill; j++)
                for (var x = 0; x < v; x++)
                    worst = Math.Max(worst, Math.Abs(first[(r * prefill + j) * v + x] - teacher[(r * (p + n) + p + j) * v + x]));
        var tokens = new int[rowsK];
        var step = new float[rowsK * v];
        for (var j = prefill; j < n; j++)
        {
            for (var r = 0; r < rowsK; r++) tokens[r] = ids[r, j];
            session.Step(tokens, step);
            for (var r = 0; r < rowsK; r++)
                for (var x = 0; x < v; x++)
                    worst = Math.Max(worst, Math.Abs(step[r * v + x] - teacher[(r * (p + n) + p + j) * v + x]));
        }
        Assert.Equal(p + n, session.Position);
        Assert.True(worst < 2e-5f, $"cached decoding differs from teacher forcing by up to {worst}");
        Assert.Throws<InvalidOperationException>(() => session.Step(tokens, step));
    }

    [Fact]
    public void The_fixtures_hold_a_melody_set()
    {
        // guards the data-driven theories against silently finding nothing
        Assert.Contains("musicgen-melody-tiny", SetNames());
    }

    private static int[,] Columns(int[,] ids, int from, int count)
    {
        var result = new int[ids.GetLength(0), count];
        for (var r = 0; r < ids.GetLength(0); r++)
            for (var j = 0; j < count; j++) result[r, j] = ids[r, from + j];
        return result;
    }
}
