using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>Token choice: defaults, greedy, seeded reproducibility and that draws follow the probabilities.</summary>
public class LogitsSamplerTests
{
    private static float[] RandomLogits(int vocab, int seed, float scale = 2f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    [Fact]
    public void Defaults_are_audiocraft_and_the_transformers_preset_differs_only_in_top_k()
    {
        var d = new SamplingSettings();
        Assert.True(d.UseSampling);
        Assert.Equal(250, d.TopK);
        Assert.Equal(3f, d.GuidanceScale);
        Assert.Equal(1f, d.Temperature);
        Assert.Equal(1f, d.TopP);
        Assert.Equal(d with { TopK = 50 }, SamplingSettings.Transformers);
        Assert.False(SamplingSettings.Greedy.UseSampling);
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_convention_spelled_out()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogitsSampler(new SamplingSettings { Temperature = 0 }, 1));
        Assert.Contains("UseSampling = false", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogitsSampler(new SamplingSettings { TopP = 0 }, 1));
        Assert.Contains("1 turns it off", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogitsSampler(new SamplingSettings { TopK = -1 }, 1));
        Assert.Equal("TopK", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogitsSampler(new SamplingSettings { GuidanceScale = float.PositiveInfinity }, 1));
        Assert.Equal("GuidanceScale", e.ParamName);
    }

    [Fact]
    public void Greedy_takes_the_first_maximum_and_ignores_the_filters()
    {
        var greedy = new LogitsSampler(SamplingSettings.Greedy with { TopK = 1, Temperature = 0.1f }, seed: 1);
        Assert.Equal(1, greedy.Sample([1f, 5f, 5f, 2f]));
        Assert.Equal(1, LogitsSampler.Argmax([1f, 5f, 5f, 2f]));
        // guided: uncond + 3 (cond - uncond) = [0, 4, -2]
        Assert.Equal(1, greedy.SampleGuided([0f, 2f, 0f], [0f, 1f, 1f]));
        Assert.Throws<ArgumentException>(() => LogitsSampler.Argmax([float.NegativeInfinity, float.NegativeInfinity]));
    }

    [Fact]
    public void Inverse_cdf_draw_never_returns_a_zero_probability_token()
    {
        float[] p = [0, 0.5f, 0, 0.5f, 0];
        Assert.Equal(1, LogitsSampler.SampleFromProbabilities(p, 0));
        Assert.Equal(1, LogitsSampler.SampleFromProbabilities(p, 0.4999));
        Assert.Equal(3, LogitsSampler.SampleFromProbabilities(p, 0.5));
        Assert.Equal(3, LogitsSampler.SampleFromProbabilities(p, Math.BitDecrement(1.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitsSampler.SampleFromProbabilities(p, 1.0));
        var e = Assert.Throws<ArgumentException>(() => LogitsSampler.SampleFromProbabilities([0f, 0f], 0.3));
        Assert.Contains("every probability is 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => LogitsSampler.SampleFromProbabilities([0.5f, -0.1f], 0.3));
        Assert.Contains("probability 1 is -0.1", e.Message);
    }

    [Fact]
    public void Same_seed_same_tokens_other_seed_other_tokens()
    {
        var rows = Enumerable.Range(0, 4).Select(i => RandomLogits(2048, seed: i)).ToArray();
        int[] Run(ulong seed)
        {
            var sampler = new LogitsSampler(SamplingSettings.Audiocraft, seed);
            return Enumerable.Range(0, 500).Select(i => sampler.Sample(rows[i % 4])).ToArray();
        }
        var first = Run(1234);
        Assert.Equal(first, Run(1234));
        Assert.NotEqual(first, Run(1235));

        // a block of rows consumes the stream exactly like one call per row
        var block = rows.SelectMany(r => r).ToArray();
        var a = new LogitsSampler(SamplingSettings.Audiocraft, 9);
        var b = new LogitsSampler(SamplingSettings.Audiocraft, 9);
        var tokens = new int[4];
        a.SampleRows(block, 2048, tokens);
        Assert.Equal(rows.Select(r => b.Sample(r)), tokens);
        Assert.Throws<ArgumentException>(() => a.SampleRows(block, 2047, tokens));
    }

    [Fact]
    public void Filtered_tokens_are_never_drawn()
    {
        var logits = RandomLogits(64, seed: 5, scale: 0.5f); // flat row: the filter, not the tail, decides
        var sampler = new LogitsSampler(new SamplingSettings { TopK = 5, TopP = 0.9f, Temperature = 0.8f }, seed: 77);
        var keep = sampler.KeepMask(logits);
        Assert.InRange(keep.Count(k => k), 1, 5);
        var drawn = Enumerable.Range(0, 5000).Select(_ => sampler.Sample(logits)).ToHashSet();
        Assert.All(drawn, t => Assert.True(keep[t], $"token {t} was filtered out but drawn"));
        Assert.Equal(keep.Count(k => k), drawn.Count); // and every kept token does come up
        var probabilities = sampler.Probabilities(logits);
        Assert.Equal(1.0, probabilities.Sum(x => (double)x), 5);
        Assert.All(Enumerable.Range(0, 64).Where(i => !keep[i]), i => Assert.Equal(0f, probabilities[i]));
    }

    /// <summary>Pearson's χ² of counts against probabilities (categories with expected count ≥ 5).</summary>
    private static (double ChiSquare, int Df) ChiSquare(int[] counts, float[] probabilities, int draws)
    {
        var chi = 0.0;
        var categories = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var expected = probabilities[i] * (double)draws;
            if (expected < 5) continue;
            chi += (counts[i] - expected) * (counts[i] - expected) / expected;
            categories++;
        }
        return (chi, categories - 1);
    }

    // χ² critical value at p = 0.001 (Wilson–Hilferty approximation, z = 3.09)
    private static double Critical(int df) => df * Math.Pow(1 - 2.0 / (9 * df) + 3.09 * Math.Sqrt(2.0 / (9 * df)), 3);

    [Fact]
    public void Draw_frequencies_follow_the_probabilities()
    {
        const int draws = 40_000;
        var logits = RandomLogits(32, seed: 11, scale: 2.5f);
        var settings = new SamplingSettings { TopK = 12, Temperature = 1.3f };
        var sampler = new LogitsSampler(settings, seed: 2024);
        var probabilities = sampler.Probabilities(logits);
        var counts = new int[32];
        for (var i = 0; i < draws; i++) counts[sampler.Sample(logits)]++;

        Assert.All(Enumerable.Range(0, 32).Where(i => probabilities[i] == 0), i => Assert.Equal(0, counts[i]));
        var (chi, df) = ChiSquare(counts, probabilities, draws);
        Assert.True(df >= 8, $"only {df + 1} categories with enough mass");
        Assert.True(chi < Critical(df), $"χ² = {chi:F1} with {df} df exceeds {Critical(df):F1}: draws do not follow the probabilities");

        // the same counts against a wrong distribution (temperature 1 instead of 1.3) are rejected: the check has power
        var wrong = new LogitsSampler(settings with { Temperature = 1f }, seed: 0).Probabilities(logits);
        var (wrongChi, wrongDf) = ChiSquare(counts, wrong, draws);
        Assert.True(wrongChi > 3 * Critical(wrongDf), $"χ² against the wrong distribution is only {wrongChi:F1}");
    }
}
