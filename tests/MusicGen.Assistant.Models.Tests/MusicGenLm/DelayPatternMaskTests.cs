using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>transformers' delay-pattern bookkeeping: hand-worked cases, its equality with the audiocraft layout, errors.</summary>
public class DelayPatternMaskTests
{
    private const int Pad = 9;
    private const int P = DelayPatternMask.ToPredict;

    [Fact]
    public void Bos_only_input_gives_pads_before_each_start_and_after_each_end()
    {
        var (ids, mask) = DelayPatternMask.Build(Grids.Matrix([[Pad], [Pad]]), numCodebooks: 2, Pad, maxLength: 5);
        Assert.Equal(Grids.Matrix([[Pad, P, P, P, Pad], [Pad, Pad, P, P, P]]), mask);
        Assert.Equal(Grids.Matrix([[Pad], [Pad]]), ids); // prefill = the bos step
    }

    [Fact]
    public void Prompt_codes_land_at_their_delayed_places_and_the_prefill_stops_at_the_first_hole()
    {
        var input = Grids.Matrix([[Pad, 1, 2], [Pad, 3, 4]]);
        var (ids, mask) = DelayPatternMask.Build(input, numCodebooks: 2, Pad, maxLength: 6);
        Assert.Equal(Grids.Matrix([[Pad, 1, 2, P, P, Pad], [Pad, Pad, 3, 4, P, P]]), mask);
        Assert.Equal(Grids.Matrix([[Pad, 1, 2], [Pad, Pad, 3]]), ids);
    }

    [Fact]
    public void Stereo_rows_share_the_delay_of_their_quantizer()
    {
        var input = Grids.Matrix([[Pad], [Pad], [Pad], [Pad]]); // [L0, R0, L1, R1]
        var (_, mask) = DelayPatternMask.Build(input, numCodebooks: 4, Pad, maxLength: 5, audioChannels: 2);
        Assert.Equal(Grids.Matrix(
        [
            [Pad, P, P, P, Pad], [Pad, P, P, P, Pad],
            [Pad, Pad, P, P, P], [Pad, Pad, P, P, P],
        ]), mask);
    }

    [Fact]
    public void Too_short_for_the_pattern_returns_the_input_and_predicts_everything()
    {
        var input = Grids.Matrix([[Pad, 1], [Pad, 2], [Pad, 3], [Pad, 4]]);
        var (ids, mask) = DelayPatternMask.Build(input, numCodebooks: 4, Pad, maxLength: 6); // 6 < 2·4 - 1
        Assert.Equal(input, ids);
        Assert.NotSame(input, ids);
        Assert.Equal(4 * 6, mask.Cast<int>().Count(x => x == P));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(6, 1)]
    [InlineData(8, 2)]
    [InlineData(4, 2)]
    public void Equals_the_audiocraft_delay_layout_for_every_prompt_length(int numCodebooks, int channels)
    {
        // HF max_length = T + K/channels is audiocraft's S; HF's mask is audiocraft's sequence with -1 for unknown codes
        var perChannel = numCodebooks / channels;
        var provider = channels == 1 ? CodebookPatterns.Delay(numCodebooks) : CodebookPatterns.StereoDelay(perChannel);
        var random = new Random(numCodebooks * 10 + channels);
        // transformers applies no pattern below T = C - 1 (see the "too short" test), so start there
        foreach (var frames in new[] { Math.Max(1, perChannel - 1), perChannel + 1, 2 * perChannel + 3 })
            for (var prompt = 0; prompt <= frames; prompt++)
            {
                const int batch = 2;
                var pattern = provider.GetPattern(frames);
                var input = new int[batch * numCodebooks, 1 + prompt];
                var expectedRows = new List<int[]>();
                for (var b = 0; b < batch; b++)
                {
                    var known = new int[numCodebooks, frames];
                    for (var q = 0; q < numCodebooks; q++)
                    {
                        input[b * numCodebooks + q, 0] = Pad;
                        for (var t = 0; t < frames; t++)
                        {
                            known[q, t] = t < prompt ? random.Next(0, Pad) : P;
                            if (t < prompt) input[b * numCodebooks + q, 1 + t] = known[q, t];
                        }
                    }
                    var built = pattern.Build(known, Pad).Values;
                    for (var q = 0; q < numCodebooks; q++) expectedRows.Add(Grids.Row(built, q));
                }
                var (ids, mask) = DelayPatternMask.Build(input, numCodebooks, Pad, frames + perChannel, channels);
                Assert.Equal(Grids.Matrix(expectedRows.ToArray()), mask);
                Assert.Equal(1 + prompt, ids.GetLength(1)); // prefill = bos + prompt frames
                if (prompt < frames) Assert.Equal(1 + prompt, pattern.FirstStepWithTimesteps(prompt));
            }
    }

    [Fact]
    public void Apply_mask_forces_every_cell_the_mask_fixes()
    {
        var mask = Grids.Matrix([[Pad, P, P, Pad], [Pad, Pad, P, P]]);
        var ids = Grids.Matrix([[5, 6, 7], [5, 6, 7]]);
        Assert.Equal(Grids.Matrix([[Pad, 6, 7], [Pad, Pad, 7]]), DelayPatternMask.ApplyMask(ids, mask));
        var e = Assert.Throws<ArgumentException>(() => DelayPatternMask.ApplyMask(new int[2, 5], mask));
        Assert.Contains("5 columns, longer than the pattern mask's 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => DelayPatternMask.ApplyMask(new int[3, 2], mask));
        Assert.Contains("3 rows but the pattern mask has 2", e.Message);
    }

    [Fact]
    public void Removing_pads_leaves_the_codes_and_refuses_ragged_rows()
    {
        var delayed = Grids.Matrix([[Pad, 1, 2, Pad], [Pad, Pad, 3, 4]]);
        Assert.Equal(Grids.Matrix([[1, 2], [3, 4]]), DelayPatternMask.RemovePadding(delayed, Pad));
        var ragged = Grids.Matrix([[Pad, 1, 2, Pad], [Pad, 5, 3, 4]]);
        var e = Assert.Throws<ArgumentException>(() => DelayPatternMask.RemovePadding(ragged, Pad));
        Assert.Contains("row 1 keeps 3 codes after removing pad 9 but row 0 keeps 2", e.Message);
    }

    [Fact]
    public void Bad_arguments_name_the_problem()
    {
        var bos = Grids.Matrix([[Pad], [Pad], [Pad]]);
        var e = Assert.Throws<ArgumentException>(() => DelayPatternMask.Build(bos, 2, Pad, 10));
        Assert.Contains("3 rows, expected a positive multiple of 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => DelayPatternMask.Build(bos, 3, Pad, 10, audioChannels: 2));
        Assert.Contains("3 codebooks is not possible", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayPatternMask.Build(bos, 3, Pad, 10, audioChannels: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayPatternMask.Build(bos, 3, Pad, 0));
        Assert.Throws<ArgumentException>(() => DelayPatternMask.Build(new int[3, 0], 3, Pad, 10));
        // transformers fails here too (a shape mismatch); we say why
        e = Assert.Throws<ArgumentException>(() => DelayPatternMask.Build(new int[4, 6], 4, Pad, 8));
        Assert.Contains("need max_length ≥ 9, got 8", e.Message);
    }
}
