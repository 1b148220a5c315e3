using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>Every interleaving strategy: exact small layouts, step counts, and Build → Revert round trips.</summary>
public class CodebookPatternProviderTests
{
    public static TheoryData<string> ProviderNames() =>
    [
        "delay", "parallel", "partial-delay", "delay-flatten-first", "delay-empty-initial", "flattening",
        "partial-flattening", "unrolled-delayed", "coarse-first", "coarse-first-delayed", "musiclm", "musiclm-4",
        "stereo-delay", "stereo-partial-delay",
    ];

    /// <summary>Builds a named provider for K codebooks, or null where that strategy does not exist for this K.</summary>
    private static CodebookPatternProvider? Provider(string name, int k) => name switch
    {
        "delay" => CodebookPatterns.Delay(k),
        "parallel" => CodebookPatterns.Parallel(k),
        "partial-delay" => CodebookPatterns.PartialDelay(Enumerable.Range(0, k).Select(q => Math.Min(q, 1)).ToArray()),
        "delay-flatten-first" => new DelayedPatternProvider(k, flattenFirst: 2),
        "delay-empty-initial" => new DelayedPatternProvider(k, emptyInitial: 3),
        "flattening" => CodebookPatterns.Flattening(k),
        "partial-flattening" => CodebookPatterns.PartialFlattening(k),
        "unrolled-delayed" => new UnrolledPatternProvider(k,
            Enumerable.Range(0, k).Select(q => Math.Min(q, 1)).ToArray(), Enumerable.Range(0, k).Select(q => Math.Min(q, 1) * 2).ToArray()),
        "coarse-first" => k < 2 ? null : CodebookPatterns.CoarseFirst(k),
        "coarse-first-delayed" => k < 2 ? null : CodebookPatterns.CoarseFirst(k, Enumerable.Range(0, k - 1).ToArray()),
        "musiclm" => k % 2 != 0 ? null : CodebookPatterns.MusicLm(k),
        "musiclm-4" => k % 4 != 0 ? null : CodebookPatterns.MusicLm(k, groupBy: 4),
        "stereo-delay" => k % 2 != 0 ? null : CodebookPatterns.StereoDelay(k / 2),
        "stereo-partial-delay" => k % 2 != 0 ? null : CodebookPatterns.StereoPartialDelay(k / 2),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(ProviderNames))]
    public void Build_then_revert_gives_the_codes_back(string name)
    {
        var tested = 0;
        foreach (var k in new[] { 1, 2, 3, 4, 8 })
        {
            var provider = Provider(name, k);
            if (provider is null) continue;
            foreach (var t in new[] { 0, 1, 2, 5, 17, 64 })
            {
                var pattern = provider.GetPattern(t);
                var codes = CodebookPatternTests.RandomCodes(k, t, seed: 100 * k + t);
                var built = pattern.Build(codes, specialToken: 2048);
                // every code is placed exactly once; every other cell is special
                Assert.Equal(k * t, built.Mask.Cast<bool>().Count(m => m));
                Assert.Equal(built.Values.Length - k * t, built.Values.Cast<int>().Count(v => v == 2048));
                var reverted = pattern.Revert(built.Values, 2048);
                Assert.Equal(codes, reverted.Values);
                Assert.All(reverted.Mask.Cast<bool>(), Assert.True);
                Assert.Equal(pattern.SequenceLength, provider.StepCount(t));
                tested++;
            }
        }
        Assert.True(tested >= 12, $"{name}: only {tested} K/T combinations ran");
    }

    [Theory]
    // MusicGen paper / reference: LM forward steps for T = 1500 frames, K = 4 (S - 1)
    [InlineData("parallel", 1500)]
    [InlineData("delay", 1503)]
    [InlineData("partial-flattening", 3000)]
    [InlineData("coarse-first", 3000)]
    [InlineData("coarse-first-delayed", 3002)]
    [InlineData("flattening", 6000)]
    [InlineData("musiclm", 6000)]
    public void Step_counts_for_30_seconds(string name, int forwardSteps)
    {
        var provider = Provider(name, 4)!;
        Assert.Equal(forwardSteps + 1, provider.StepCount(1500));
        Assert.Equal(forwardSteps, provider.GetPattern(1500).GenerationStepCount);
    }

    private static string Describe(CodebookPattern p) =>
        string.Join(" | ", p.Steps.Select(s => string.Join(",", s.Select(c => $"{c.Timestep}{(char)('a' + c.Codebook)}"))));

    [Fact]
    public void Small_layouts_are_exactly_as_described()
    {
        // "1b" = frame 1 of codebook b; "|" separates steps; the first (empty) step is the special start
        Assert.Equal(" | 0a,0b | 1a,1b", Describe(CodebookPatterns.Parallel(2).GetPattern(2)));
        Assert.Equal(" | 0a | 0b | 1a | 1b", Describe(CodebookPatterns.Flattening(2).GetPattern(2)));
        Assert.Equal(" | 0a | 0b,0c | 1a | 1b,1c", Describe(CodebookPatterns.PartialFlattening(3).GetPattern(2)));
        Assert.Equal(" | 0a | 1a | 0b | 1b,0c | 2b,1c", Describe(CodebookPatterns.CoarseFirst(3, [0, 1]).GetPattern(2)));
        Assert.Equal(" | 0a | 0b | 1a | 1b | 0c | 0d | 1c | 1d", Describe(CodebookPatterns.MusicLm(4).GetPattern(2)));
        Assert.Equal(" | 0a | 1a,0b,0c,0d | 2a,1b,1c,1d",
            Describe(CodebookPatterns.PartialDelay([0, 1, 1, 1]).GetPattern(2)));
        // flatten_first = 1: frame 0 one codebook per step, then the delay pattern from frame 1 on
        Assert.Equal(" | 0a | 0b | 1a | 2a,1b | 3a,2b", Describe(new DelayedPatternProvider(2, flattenFirst: 1).GetPattern(3)));
        Assert.Equal(" |  |  | 0a | 1a,0b | 2a,1b", Describe(new DelayedPatternProvider(2, emptyInitial: 2).GetPattern(2)));
        // unrolled with a delayed second group: frame t of codebooks b, c is emitted one slot later (2a: the tail cell
        // past the last frame, special when built, as in the delay pattern)
        Assert.Equal(" | 0a |  | 1a | 0b,0c | 2a | 1b,1c",
            Describe(new UnrolledPatternProvider(3, [0, 1, 1], [0, 1, 1]).GetPattern(2)));
        // an inner step no codebook maps to stays an (always special) empty step
        Assert.Equal(" | 0a |  | 0b | 1a |  | 1b", Describe(new UnrolledPatternProvider(2, [0, 2]).GetPattern(2)));
    }

    [Fact]
    public void Stereo_delay_interleaves_left_and_right_with_shared_delays()
    {
        var stereo = CodebookPatterns.StereoDelay(4);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], stereo.Delays);
        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 1], CodebookPatterns.StereoPartialDelay(4).Delays);
        // the same step count as mono K = 4: T + 4 sequence steps
        Assert.Equal(CodebookPatterns.Delay(4).StepCount(250), stereo.StepCount(250));

        var left = CodebookPatternTests.RandomCodes(4, 6, seed: 1);
        var right = CodebookPatternTests.RandomCodes(4, 6, seed: 2);
        var both = StereoCodebooks.Interleave(left, right);
        var built = stereo.GetPattern(6).Build(both, 2048).Values;
        var mono = CodebookPatterns.Delay(4).GetPattern(6);
        var leftBuilt = mono.Build(left, 2048).Values;
        var rightBuilt = mono.Build(right, 2048).Values;
        for (var q = 0; q < 4; q++)
        {
            Assert.Equal(Grids.Row(leftBuilt, q), Grids.Row(built, 2 * q));
            Assert.Equal(Grids.Row(rightBuilt, q), Grids.Row(built, 2 * q + 1));
        }
        var (l, r) = StereoCodebooks.Split(both);
        Assert.Equal(left, l);
        Assert.Equal(right, r);
    }

    [Fact]
    public void Bad_provider_settings_are_rejected_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => CodebookPatterns.PartialDelay([0, 2, 1]));
        Assert.Contains("sorted", e.Message);
        Assert.Contains("[0, 2, 1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DelayedPatternProvider(4, [0, 1, 2]));
        Assert.Contains("3 entries, expected 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DelayedPatternProvider(2, [-1, 0]));
        Assert.Contains("delays[0] = -1 is negative", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelayedPatternProvider(2, flattenFirst: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelayedPatternProvider(2, emptyInitial: -1));
        e = Assert.Throws<ArgumentException>(() => new UnrolledPatternProvider(3, [0, 1, 1], [0, 1, 2]));
        Assert.Contains("codebooks 1 and 2 are flattened to the same inner step 1 but have delays 1 and 2", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => CodebookPatterns.MusicLm(6, groupBy: 4));
        Assert.Contains("divide the 6 codebooks", r.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookPatterns.CoarseFirst(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookPatterns.Delay(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookPatterns.StereoDelay(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookPatterns.Delay(4).GetPattern(-1));
        Assert.Throws<ArgumentException>(() => StereoCodebooks.Split(new int[3, 2]));
        Assert.Throws<ArgumentException>(() => StereoCodebooks.Interleave(new int[4, 2], new int[4, 3]));
    }
}
