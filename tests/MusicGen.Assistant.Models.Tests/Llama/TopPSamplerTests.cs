using MusicGen.Assistant.Models.Llama;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>M2UGen's sample_top_p: drop tokens whose preceding cumulative mass exceeds top-p, renormalise, draw.</summary>
public class TopPSamplerTests
{
    [Fact]
    public void Temperature_zero_is_the_first_argmax()
    {
        var sampler = new TopPSampler(0f, 0.8f, seed: 1);
        Assert.Equal(2, sampler.Sample([0.1f, 0.5f, 3f, 3f, -1f]));
    }

    [Fact]
    public void Tokens_past_the_nucleus_are_never_drawn_and_the_rest_keep_their_ratios()
    {
        // p = [0.5, 0.3, 0.15, 0.05]: cumsum - p = [0, 0.5, 0.8, 0.95]; only the last exceeds 0.8
        float[] logits = [MathF.Log(0.3f), MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f)];
        var sampler = new TopPSampler(1f, 0.8f, seed: 42);
        var counts = new int[4];
        const int draws = 40000;
        for (var i = 0; i < draws; i++) counts[sampler.Sample(logits)]++;
        Assert.Equal(0, counts[1]);
        Assert.Equal(0.5 / 0.95, counts[2] / (double)draws, 0.015);
        Assert.Equal(0.3 / 0.95, counts[0] / (double)draws, 0.015);
        Assert.Equal(0.15 / 0.95, counts[3] / (double)draws, 0.015);
    }

    [Fact]
    public void Temperature_sharpens_before_the_nucleus_and_one_seed_gives_one_sequence()
    {
        float[] logits = [1f, 0.9f, 0.2f];
        // at T = 0.1 the top token holds ~73% of the mass, so top-p 0.7 keeps it alone
        var sharp = new TopPSampler(0.1f, 0.7f, seed: 3);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(0, sharp.Sample(logits)));
        var a = new TopPSampler(1f, 1f, seed: 9);
        var b = new TopPSampler(1f, 1f, seed: 9);
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => a.Sample(logits)), Enumerable.Range(0, 50).Select(_ => b.Sample(logits)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopPSampler(-1f, 0.8f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopPSampler(1f, 0f, 0));
    }
}
