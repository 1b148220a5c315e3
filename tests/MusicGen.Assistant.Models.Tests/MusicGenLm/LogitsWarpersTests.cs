using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>Guidance and each filter on hand-worked rows.</summary>
public class LogitsWarpersTests
{
    private static bool[] Kept(float[] row) => row.Select(float.IsFinite).ToArray();

    [Fact]
    public void Guidance_is_uncond_plus_scale_times_the_difference()
    {
        var mixed = new float[2];
        ClassifierFreeGuidance.Mix([1f, 2f], [0.5f, 3f], 3f, mixed);
        Assert.Equal([2f, 0f], mixed);
        ClassifierFreeGuidance.Mix([1f, 2f], [0.5f, 3f], 1f, mixed);
        Assert.Equal([1f, 2f], mixed); // scale 1 = the conditional model
        // stacked as the model returns it: cond rows first, then uncond rows
        float[] stacked = [1, 2, 10, 20, 0.5f, 3, 10, 21];
        Assert.Equal([2f, 0f, 10f, 18f], ClassifierFreeGuidance.MixStacked(stacked, vocabSize: 2, scale: 3f));
        Assert.Equal(3f, ClassifierFreeGuidance.DefaultScale);

        var e = Assert.Throws<ArgumentException>(() => ClassifierFreeGuidance.Mix([1f], [1f, 2f], 3f, new float[1]));
        Assert.Contains("cond 1, uncond 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => ClassifierFreeGuidance.MixStacked(new float[6], vocabSize: 2, scale: 3f));
        Assert.Contains("6 values, not a whole number of cond/uncond row pairs of 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassifierFreeGuidance.Mix([1f], [1f], float.NaN, new float[1]));
    }

    [Fact]
    public void Temperature_divides()
    {
        float[] row = [1, 2, -4, float.NegativeInfinity];
        LogitsWarpers.ApplyTemperature(row, 2f);
        Assert.Equal([0.5f, 1f, -2f, float.NegativeInfinity], row);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsWarpers.ApplyTemperature(row, 0f));
    }

    [Fact]
    public void Top_k_keeps_everything_tied_with_the_kth_largest()
    {
        float[] row = [1, 3, 2, 3, 0];
        LogitsWarpers.ApplyTopK(row, 2);
        Assert.Equal([false, true, false, true, false], Kept(row));

        row = [5, 4, 4, 1];
        LogitsWarpers.ApplyTopK(row, 2); // the 2nd largest (4) is tied: both 4s stay
        Assert.Equal([true, true, true, false], Kept(row));
        Assert.Equal(4f, row[2]); // survivors keep their logit

        row = [5, 4, 4, 1];
        LogitsWarpers.ApplyTopK(row, 4);
        Assert.All(row, x => Assert.True(float.IsFinite(x)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsWarpers.ApplyTopK(row, 0));
    }

    [Theory]
    // probabilities 0.5, 0.3, 0.15, 0.05: cumulative ascending 0.05, 0.2, 0.5, 1.0; drop where cumulative ≤ 1 - p
    [InlineData(0.96f, new[] { true, true, true, true })]
    [InlineData(0.9f, new[] { true, true, true, false })]
    [InlineData(0.7f, new[] { true, true, false, false })]
    [InlineData(0.4f, new[] { true, false, false, false })]
    [InlineData(0.01f, new[] { true, false, false, false })] // never below min_tokens_to_keep = 1
    public void Top_p_keeps_the_smallest_top_set_holding_more_than_p(float topP, bool[] expected)
    {
        var row = new[] { 0.5, 0.3, 0.15, 0.05 }.Select(p => (float)Math.Log(p)).ToArray();
        LogitsWarpers.ApplyTopP(row, topP);
        Assert.Equal(expected, Kept(row));
    }

    [Fact]
    public void Top_p_honours_min_tokens_and_orders_ties_by_token_id()
    {
        var row = new[] { 0.5, 0.3, 0.15, 0.05 }.Select(p => (float)Math.Log(p)).ToArray();
        LogitsWarpers.ApplyTopP(row, 0.01f, minTokensToKeep: 2);
        Assert.Equal([true, true, false, false], Kept(row));

        // four equal logits, p = 0.5: two must go; the lower ids count as larger (argmax's first-max rule)
        float[] flat = [0, 0, 0, 0];
        LogitsWarpers.ApplyTopP(flat, 0.5f);
        Assert.Equal([true, true, false, false], Kept(flat));

        // tokens already removed (-inf, e.g. by top-k) carry no mass
        float[] partly = [(float)Math.Log(0.6), float.NegativeInfinity, (float)Math.Log(0.4)];
        LogitsWarpers.ApplyTopP(partly, 0.5f);
        Assert.Equal([true, false, false], Kept(partly));
    }

    [Fact]
    public void Softmax_normalises_and_gives_exact_zeros_for_filtered_tokens()
    {
        var p = new float[3];
        LogitsWarpers.Softmax([0f, (float)Math.Log(3), float.NegativeInfinity], p);
        Assert.Equal(0.25f, p[0], 1e-6f);
        Assert.Equal(0.75f, p[1], 1e-6f);
        Assert.Equal(0f, p[2]);
        // large logits do not overflow
        LogitsWarpers.Softmax([1000f, 1000f, 0f], p);
        Assert.Equal(0.5f, p[0], 1e-6f);
    }

    [Fact]
    public void Invalid_rows_are_refused_naming_the_token()
    {
        var e = Assert.Throws<ArgumentException>(() => LogitsWarpers.ApplyTopK([1f, float.NaN, 2f], 1));
        Assert.Contains("logit 1 of 3 is NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => LogitsWarpers.Softmax([float.PositiveInfinity, 0f], new float[2]));
        Assert.Contains("logit 0 of 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => LogitsWarpers.Softmax([float.NegativeInfinity], new float[1]));
        Assert.Contains("every logit of the row is -inf", e.Message);
        e = Assert.Throws<ArgumentException>(() => LogitsWarpers.ApplyTopP([], 0.5f));
        Assert.Contains("empty", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsWarpers.ApplyTopP([1f], 1.5f));
        Assert.Throws<ArgumentException>(() => LogitsWarpers.Softmax([1f, 2f], new float[3]));
    }

    [Fact]
    public void Kth_largest_matches_a_sort_on_random_rows_with_ties_and_minus_infinity()
    {
        var rng = new Random(3);
        foreach (var n in new[] { 1, 2, 7, 17, 33, 250, 2048, 2049 })
            for (var trial = 0; trial < 20; trial++)
            {
                // few distinct values in some trials (many ties), -inf sprinkled in others, sorted inputs in some
                var distinct = trial % 3 == 0 ? 5 : 1 << 20;
                var row = Enumerable.Range(0, n).Select(_ => trial % 4 == 1 && rng.Next(3) == 0
                    ? float.NegativeInfinity : rng.Next(distinct) / 7f - 3f).ToArray();
                if (trial % 5 == 2) Array.Sort(row);
                if (trial % 5 == 3) Array.Sort(row, (a, b) => b.CompareTo(a));
                var sorted = row.OrderByDescending(x => x).ToArray();
                foreach (var k in new[] { 1, Math.Min(n, 2), (n + 1) / 2, Math.Min(n, 250), n })
                {
                    var work = (float[])row.Clone();
                    Assert.Equal(sorted[k - 1], LogitsWarpers.KthLargest(work, k));
                    Assert.Equal(sorted, work.OrderByDescending(x => x).ToArray()); // a permutation of the input
                }
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsWarpers.KthLargest(new float[3], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsWarpers.KthLargest(new float[3], 0));
    }

    [Fact]
    public void Top_k_on_a_vocabulary_sized_row_keeps_exactly_the_k_largest_and_their_ties()
    {
        var rng = new Random(5);
        var row = Enumerable.Range(0, 2048).Select(_ => (float)Math.Round(rng.NextDouble() * 40, 1)).ToArray(); // many ties
        var threshold = row.OrderByDescending(x => x).ElementAt(249);
        var expected = row.Select(x => x >= threshold).ToArray();
        LogitsWarpers.ApplyTopK(row, 250);
        Assert.Equal(expected, Kept(row));
        Assert.True(expected.Count(k => k) >= 250);
    }

    [Fact]
    public void Long_rows_are_checked_in_full_and_guidance_mixes_every_element()
    {
        var row = Enumerable.Range(0, 2051).Select(i => i * 0.5f).ToArray();
        LogitsWarpers.CheckRow(row);
        foreach (var at in new[] { 0, 15, 16, 2047, 2050 })
        {
            var bad = (float[])row.Clone();
            bad[at] = at % 2 == 0 ? float.NaN : float.PositiveInfinity;
            var e = Assert.Throws<ArgumentException>(() => LogitsWarpers.CheckRow(bad));
            Assert.Contains($"logit {at} of 2051", e.Message);
        }
        var cond = Enumerable.Range(0, 2051).Select(i => MathF.Sin(i)).ToArray();
        var uncond = Enumerable.Range(0, 2051).Select(i => MathF.Cos(i * 0.3f)).ToArray();
        var mixed = new float[2051];
        ClassifierFreeGuidance.Mix(cond, uncond, 3f, mixed);
        for (var i = 0; i < mixed.Length; i++) Assert.Equal(uncond[i] + (cond[i] - uncond[i]) * 3f, mixed[i]);
    }
}
