using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Guidance and filters against transformers 4.40.2: every output vector of musicgen-sampling-tiny (masks exact,
/// logits and probabilities within tolerance), and greedy choice against every generate() of the MusicGen fixtures.
/// </summary>
[Trait("Category", "Parity")]
public class SamplingParityTests
{
    private const string SamplingSet = "musicgen-sampling-tiny";

    public static TheoryData<string> SamplingVectors()
    {
        var data = new TheoryData<string>();
        foreach (var v in FixtureSet.ByName(SamplingSet).Vectors.Where(v => !v.IsInput)) data.Add(v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(SamplingVectors))]
    public void Vector_matches_transformers(string vectorName)
    {
        var vector = FixtureSet.ByName(SamplingSet).Vector(vectorName);
        ToleranceAssert.Matches(vector, SamplingCall.Evaluate(vector));
    }

    [Fact]
    public void The_sampling_fixture_covers_every_filter_combination()
    {
        var names = SamplingVectors().Cast<object[]>().Select(row => (string)row[0]).ToHashSet();
        foreach (var expected in new[] { "cfg_logits", "cfg_probs", "topk_keep_mask", "topp_keep_mask", "topk_topp_probs", "temp_topk_topp_keep_mask" })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void The_tie_at_the_top_k_cut_off_keeps_both_tokens()
    {
        // row 2 of the fixture has an exact tie between its 5th and 6th largest guided logit
        var set = FixtureSet.ByName(SamplingSet);
        var logits = Grids.Floats(set.Vector("cfg_logits")).Chunk(64).ToArray();
        var sampler = new LogitsSampler(new SamplingSettings { TopK = 5 }, seed: 0);
        var kept = logits.Select(row => sampler.KeepMask(row).Count(k => k)).ToArray();
        Assert.Equal([5, 5, 6, 5, 5, 5, 5, 5], kept);
        var row2 = logits[2].OrderDescending().ToArray();
        Assert.Equal(row2[4], row2[5]);
        // and the fixture's own count agrees
        var recorded = set.Root["kept_token_counts"]!["topk"]!.AsArray().Select(x => x!.GetValue<int>());
        Assert.Equal(recorded, kept);
    }

    public static TheoryData<string> GreedyGenerations()
    {
        var data = new TheoryData<string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            if (new[] { "gen_scores", "gen_delayed_sequences" }.All(n => set.Vectors.Any(v => v.Name == n)))
                data.Add(set.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(GreedyGenerations))]
    public void Greedy_choice_reproduces_every_generated_token(string setName)
    {
        // gen_scores[i] are the guided scores of step i; generate(do_sample=False) took their argmax wherever the
        // delay pattern did not force a token. Those columns are the last `steps` of the delayed matrix.
        var set = FixtureSet.ByName(setName);
        var scores = set.Vector("gen_scores");
        var (steps, rows, vocab) = ((int)scores.Shape[0], (int)scores.Shape[1], (int)scores.Shape[2]);
        var values = Grids.Floats(scores);
        var delayed = Grids.Matrix(set.Vector("gen_delayed_sequences"));
        // the cells generate() predicted: -1 in its pattern mask (recorded, or rebuilt from the bos column)
        var mask = set.Vectors.Any(v => v.Name == "gen_delay_pattern_mask")
            ? Grids.Matrix(set.Vector("gen_delay_pattern_mask"))
            : BosMask(set, rows, delayed.GetLength(1));
        var greedy = new LogitsSampler(SamplingSettings.Greedy, seed: 0);
        var first = delayed.GetLength(1) - steps;
        var compared = 0;
        for (var i = 0; i < steps; i++)
            for (var r = 0; r < rows; r++)
            {
                if (mask[r, first + i] != DelayPatternMask.ToPredict) continue; // forced pad or prompt code
                var token = delayed[r, first + i];
                var choice = greedy.Sample(values.AsSpan((i * rows + r) * vocab, vocab));
                Assert.True(choice == token, $"{setName}: step {i}, row {r}: argmax {choice}, generated {token}");
                compared++;
            }
        Assert.True(compared >= rows * 4, $"{setName}: only {compared} greedy decisions compared");
    }

    private static int[,] BosMask(FixtureSet set, int rows, int length)
    {
        var (k, channels) = BuildDelayPatternMaskCall.DecoderLayout(set);
        var pad = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(set.ConfigPath))!["decoder"]!["pad_token_id"]!.GetValue<int>();
        var bos = new int[rows, 1];
        for (var r = 0; r < rows; r++) bos[r, 0] = pad;
        return DelayPatternMask.Build(bos, k, pad, length, channels).PatternMask;
    }
}
