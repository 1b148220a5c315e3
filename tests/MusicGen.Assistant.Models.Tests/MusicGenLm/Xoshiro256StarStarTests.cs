using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class Xoshiro256StarStarTests
{
    [Fact]
    public void Matches_the_published_reference_sequences()
    {
        // xoshiro256** from state {1, 2, 3, 4} and SplitMix64 from 0, as printed by the authors' C code
        var x = Xoshiro256StarStar.FromState(1, 2, 3, 4);
        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL], Enumerable.Range(0, 4).Select(_ => x.NextUInt64()));
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256StarStar.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, Xoshiro256StarStar.SplitMix64(ref state));
        // seeding = four SplitMix64 outputs as the state (value from an independent Python transcription)
        Assert.Equal(0x99EC5F36CB75F2B4UL, new Xoshiro256StarStar(0).NextUInt64());
    }

    [Fact]
    public void Same_seed_same_stream_and_doubles_are_uniform_in_the_unit_interval()
    {
        var a = new Xoshiro256StarStar(42);
        var b = new Xoshiro256StarStar(42);
        var c = new Xoshiro256StarStar(43);
        var sa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
        Assert.NotEqual(sa, Enumerable.Range(0, 100).Select(_ => c.NextUInt64()));

        var d = new Xoshiro256StarStar(7);
        var xs = Enumerable.Range(0, 100_000).Select(_ => d.NextDouble()).ToArray();
        Assert.All(xs, x => Assert.InRange(x, 0.0, Math.BitDecrement(1.0)));
        Assert.InRange(xs.Average(), 0.497, 0.503);                                    // σ of the mean ≈ 0.0009
        Assert.InRange(xs.Count(x => x < 0.1), 9_700, 10_300);
    }

    [Fact]
    public void An_all_zero_state_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Xoshiro256StarStar.FromState(0, 0, 0, 0));
        Assert.Contains("must not be all zero", e.Message);
    }
}
