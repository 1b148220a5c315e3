using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// MusicGen conditioned on precomputed encoder states (the path the M2UGen projector's output takes): the T5 states a
/// fixture recorded, fed through <see cref="EncoderStatesConditioning"/>, reproduce what the text path gives —
/// projected states, teacher-forced logits and guided greedy generation against transformers, and bit for bit our
/// own text path fed the same ids.
/// </summary>
[Trait("Category", "Parity")]
public partial class EncoderStatesConditioningTests
{
    [GeneratedRegex(@"^model\.text_encoder\(input_ids=(?<ids>\w+), attention_mask=(?<mask>\w+)\)\.last_hidden_state$")]
    private static partial Regex T5Call();

    /// <summary>Sets that recorded T5's output: (set, states vector, ids vector, mask vector).</summary>
    private static IEnumerable<(FixtureSet Set, ReferenceVector States, string Ids, string Mask)> Recorded() =>
        from set in MusicGenFixtures.Sets()
        from v in set.Vectors
        let m = T5Call().Match(v.Call)
        where m.Success
        select (set, v, m.Groups["ids"].Value, m.Groups["mask"].Value);

    [Fact]
    public void The_fixtures_record_t5_states_for_the_generated_and_teacher_forced_prompts()
    {
        // guards the tests below against silently finding nothing
        Assert.Contains(Recorded(), r => Same(r.Set, r.Ids, "gen_text_input_ids") && Same(r.Set, r.Mask, "gen_text_attention_mask"));
        Assert.Contains(Recorded(), r => Same(r.Set, r.Ids, "tf_text_input_ids"));
    }

    [Fact]
    public void Recorded_t5_states_give_the_projected_states_and_teacher_forced_logits()
    {
        foreach (var (set, states, ids, mask) in Recorded().Where(r => Same(r.Set, r.Ids, "tf_text_input_ids") && Same(r.Set, r.Mask, "tf_text_attention_mask")))
        {
            using var backend = MusicGenFixtures.Cpu();
            using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
            using var source = EncoderStatesConditioning.Load(ConvertedFixtures.Gguf(set), backend, decoder.Config.HiddenSize);
            var conditioning = Condition(source, states, set.Vector(mask));
            ToleranceAssert.Matches(set.Vector("tf_encoder_hidden_states_projected"), conditioning.HiddenStates.Select(x => (double)x).ToArray());

            var decoderIds = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
            var logits = decoder.Forward(decoderIds, conditioning);
            ToleranceAssert.Matches(set.Vector("tf_logits"), logits.Select(x => (double)x).ToArray());
        }
    }

    [Fact]
    public void Recorded_t5_states_reproduce_the_guided_generation()
    {
        foreach (var (set, states, _, mask) in Recorded().Where(r => Same(r.Set, r.Ids, "gen_text_input_ids") && Same(r.Set, r.Mask, "gen_text_attention_mask")))
        {
            using var backend = MusicGenFixtures.Cpu();
            using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
            using var source = EncoderStatesConditioning.Load(ConvertedFixtures.Gguf(set), backend, decoder.Config.HiddenSize);
            var generation = Generate(decoder, set, Condition(source, states, set.Vector(mask)));
            ToleranceAssert.Matches(set.Vector("gen_delayed_sequences"), Grids.Flat(generation.DelayedSequences));
            ToleranceAssert.Matches(set.Vector("gen_audio_codes"), Grids.Flat(generation.Codes));
            ToleranceAssert.Matches(set.Vector("gen_scores"), generation.Scores!.Select(x => (double)x).ToArray());
        }
    }

    [Fact]
    public void Our_t5_states_through_this_path_equal_the_text_path_bit_for_bit()
    {
        foreach (var (set, _, ids, mask) in Recorded())
        {
            using var backend = MusicGenFixtures.Cpu();
            using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
            var gguf = ConvertedFixtures.Gguf(set);
            using var text = TextConditioning.Load(gguf, backend, decoder.Config.HiddenSize);
            using var source = EncoderStatesConditioning.Load(gguf, backend, decoder.Config.HiddenSize);
            var idGrid = Grids.Matrix(set.Vector(ids));
            var maskGrid = Grids.Matrix(set.Vector(mask));
            int batch = idGrid.GetLength(0), length = idGrid.GetLength(1);
            var maskValues = set.Vector(mask).Values().Select(x => (long)x).ToArray();

            var viaText = MusicGenConditioning.FromAttentionMask(text.Encode(idGrid, maskGrid), maskValues, batch, length, text.HiddenSize);
            var t5 = text.Encoder.Encode(idGrid, maskGrid);
            var viaStates = source.Condition(t5, batch, length, text.Encoder.Config.DModel, maskValues);
            Assert.Equal(viaText.HiddenStates, viaStates.HiddenStates);
            Assert.Equal(viaText.Keep, viaStates.Keep);

            var a = Generate(decoder, set, viaText);
            var b = Generate(decoder, set, viaStates);
            Assert.Equal(a.DelayedSequences, b.DelayedSequences);
            Assert.Equal(a.Scores, b.Scores);
        }
    }

    [Fact]
    public void Without_a_mask_every_position_is_attended()
    {
        var (set, states, _, _) = Recorded().First();
        using var backend = MusicGenFixtures.Cpu();
        using var source = EncoderStatesConditioning.Load(ConvertedFixtures.Gguf(set), backend);
        var s = states.Shape;
        var conditioning = source.Condition(Grids.Floats(states), (int)s[0], (int)s[1], (int)s[2]);
        Assert.All(conditioning.Keep, Assert.True);
        Assert.DoesNotContain(conditioning.HiddenStates.Chunk(source.HiddenSize), row => row.All(x => x == 0));
        // the guidance rows are the default null condition: zero states, nothing attended
        var guided = conditioning.WithNullRows();
        Assert.All(guided.HiddenStates.Skip(conditioning.HiddenStates.Length), x => Assert.Equal(0f, x));
        Assert.All(guided.Keep.Skip(conditioning.Keep.Length), Assert.False);
    }

    [Fact]
    public void States_of_another_width_than_the_text_encoder_are_refused_naming_both()
    {
        var (set, states, _, _) = Recorded().First();
        using var backend = MusicGenFixtures.Cpu();
        using var source = EncoderStatesConditioning.Load(ConvertedFixtures.Gguf(set), backend);
        var width = source.StatesWidth + 8;
        var e = Assert.Throws<ModelConfigException>(() => source.Condition(new float[2 * 3 * width], 2, 3, width));
        Assert.Contains($"are {width} wide", e.Message);
        Assert.Contains($"takes {source.StatesWidth}-wide text encoder states", e.Message);
        Assert.Throws<ArgumentException>(() => source.Condition(Grids.Floats(states), 1, 3, source.StatesWidth));
        var nan = Grids.Floats(states);
        nan[5] = float.NaN;
        var s = states.Shape;
        Assert.Contains("is NaN", Assert.Throws<ArgumentException>(() => source.Condition(nan, (int)s[0], (int)s[1], (int)s[2])).Message);
    }

    private static MusicGenConditioning Condition(EncoderStatesConditioning source, ReferenceVector states, ReferenceVector mask)
    {
        var s = states.Shape;
        return source.Condition(Grids.Floats(states), (int)s[0], (int)s[1], (int)s[2], mask.Values().Select(x => (long)x).ToArray());
    }

    // greedy and guided as the fixture's generate() call says
    private static MusicGenGeneration Generate(MusicGenDecoder decoder, FixtureSet set, MusicGenConditioning conditioning)
    {
        var call = set.Vector("gen_delayed_sequences").Call;
        var guidance = float.Parse(Regex.Match(call, @"guidance_scale\s*=\s*([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var maxNewTokens = int.Parse(Regex.Match(call, @"max_new_tokens\s*=\s*(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        return new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = conditioning,
            MaxNewTokens = maxNewTokens,
            Sampling = SamplingSettings.Greedy with { GuidanceScale = guidance },
            RecordScores = true,
        });
    }

    private static bool Same(FixtureSet set, string a, string b) =>
        set.Vectors.Any(v => v.Name == a) && set.Vectors.Any(v => v.Name == b) && set.Vector(a).Values().SequenceEqual(set.Vector(b).Values());
}
