using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>The layout class itself: the documented T = 4, K = 4 delay example, partial sequences, validation.</summary>
public class CodebookPatternTests
{
    private const int S = 99; // special token

    // codes a0..a3 = 10..13, b = 20..23, c = 30..33, d = 40..43
    private static readonly int[,] Codes = Grids.Matrix(
        Enumerable.Range(1, 4).Select(q => Enumerable.Range(0, 4).Select(t => 10 * q + t).ToArray()).ToArray());

    [Fact]
    public void Delay_example_from_the_audiocraft_docstring()
    {
        var pattern = CodebookPatterns.Delay(4).GetPattern(4);
        var built = pattern.Build(Codes, S);
        int[][] expected =
        [
            [S, 10, 11, 12, 13, S, S, S],
            [S, S, 20, 21, 22, 23, S, S],
            [S, S, S, 30, 31, 32, 33, S],
            [S, S, S, S, 40, 41, 42, 43],
        ];
        Assert.Equal(Grids.Show(Grids.Matrix(expected)), Grids.Show(built.Values));
        for (var q = 0; q < 4; q++)
            for (var s = 0; s < 8; s++)
                Assert.Equal(expected[q][s] != S, built.Mask[q, s]);
        Assert.Equal(8, pattern.SequenceLength);
        Assert.Equal(7, pattern.GenerationStepCount);
        Assert.Equal(3, pattern.MaxDelay);
        Assert.Equal(5, pattern.ValidStepCount);

        var reverted = pattern.Revert(built.Values, S);
        Assert.Equal(Codes, reverted.Values);
        Assert.All(reverted.Mask.Cast<bool>(), Assert.True);
    }

    [Fact]
    public void First_step_with_a_timestep_is_where_generation_starts_after_a_prompt()
    {
        var pattern = CodebookPatterns.Delay(4).GetPattern(4);
        Assert.Equal(1, pattern.FirstStepWithTimesteps(0)); // no prompt: predict from step 1
        Assert.Equal(3, pattern.FirstStepWithTimesteps(2)); // 2 prompt frames: steps 0..2 are prefill
        Assert.Equal(6, pattern.FirstStepWithTimesteps(2, codebook: 3));
        Assert.Equal(5, pattern.FirstStepWithTimesteps(4)); // the tail cell (t=4, q=0) is in the layout, as in audiocraft
        Assert.Null(pattern.FirstStepWithTimesteps(40));
        Assert.Throws<ArgumentOutOfRangeException>(() => pattern.FirstStepWithTimesteps(0, codebook: 4));
    }

    [Fact]
    public void Valid_steps_only_keep_the_steps_inside_the_frames()
    {
        var pattern = CodebookPatterns.Delay(4).GetPattern(4);
        var built = pattern.Build(Codes, S, keepOnlyValidSteps: true);
        Assert.Equal(5, built.Length);
        Assert.Equal([S, S, S, S, 40], Grids.Row(built.Values, 3));

        // reverting the 5 training steps recovers codebook q up to frame 3 - q only: the rest is never seen as input
        var reverted = pattern.Revert(built.Values, S, keepOnlyValidSteps: true);
        for (var q = 0; q < 4; q++)
            for (var t = 0; t < 4; t++)
            {
                Assert.Equal(t <= 3 - q, reverted.Mask[q, t]);
                Assert.Equal(t <= 3 - q ? Codes[q, t] : S, reverted.Values[q, t]);
            }
        var full = pattern.Build(Codes, S).Values;
        var e = Assert.Throws<ArgumentException>(() => pattern.Revert(full, S, keepOnlyValidSteps: true));
        Assert.Contains("8 steps, more than the 5", e.Message);
    }

    [Fact]
    public void A_partial_sequence_reverts_to_the_frames_generated_so_far()
    {
        var pattern = CodebookPatterns.Delay(4).GetPattern(4);
        var full = pattern.Build(Codes, S).Values;
        var firstSix = Grids.Matrix(Enumerable.Range(0, 4).Select(q => Grids.Row(full, q)[..6]).ToArray());
        var reverted = pattern.Revert(firstSix, -7);
        // step of (t, q) is t + 1 + q; it is present when < 6
        for (var q = 0; q < 4; q++)
            for (var t = 0; t < 4; t++)
                Assert.Equal(t + 1 + q < 6 ? Codes[q, t] : -7, reverted.Values[q, t]);
    }

    [Fact]
    public void Shorter_codes_and_placeholders_are_laid_out_like_any_code()
    {
        // audiocraft's generate: unknown cells are -1, prompt codes are real, and the layout marks the holes
        var pattern = CodebookPatterns.Delay(2).GetPattern(3);
        var codes = Grids.Matrix([[5, -1], [6, -1]]); // 2 of the 3 frames given, frame 1 still unknown
        var built = pattern.Build(codes, S);
        Assert.Equal([S, 5, -1, S, S], Grids.Row(built.Values, 0)); // frame 2 (≥ the 2 given) is special
        Assert.Equal([S, S, 6, -1, S], Grids.Row(built.Values, 1));
        Assert.Equal([false, true, true, false, false], Enumerable.Range(0, 5).Select(s => built.Mask[0, s]));
    }

    [Fact]
    public void Bad_layouts_are_rejected_naming_the_step_and_cell()
    {
        LayoutCoord C(int t, int q) => new(t, q);
        var e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[C(0, 0)]], 1, 1));
        Assert.Contains("step 0 must be empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[], [C(0, 2)]], 2, 1));
        Assert.Contains("step 1: (t=0, q=2) names codebook 2, expected 0..1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[], [C(0, 0), C(1, 0)]], 1, 2));
        Assert.Contains("step 1: codebook 0 appears twice", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[], [C(1, 0)], [C(0, 0)]], 1, 2));
        Assert.Contains("step 2: (t=0, q=0) does not come after timestep 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[], [C(0, 0)], [C(0, 0)]], 1, 2));
        Assert.Contains("does not come after timestep 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CodebookPattern([[], [C(-1, 0)]], 1, 2));
        Assert.Contains("negative timestep", e.Message);
        Assert.Throws<ArgumentException>(() => new CodebookPattern([], 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodebookPattern([[]], 0, 2));
    }

    [Fact]
    public void Codes_of_the_wrong_shape_are_rejected()
    {
        var pattern = CodebookPatterns.Delay(4).GetPattern(4);
        var e = Assert.Throws<ArgumentException>(() => pattern.Build(new int[3, 4], S));
        Assert.Contains("3 codebooks, the pattern expects 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => pattern.Build(new int[4, 5], S));
        Assert.Contains("5 frames, more than the 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => pattern.Revert(new int[2, 8], S));
        Assert.Contains("2 codebooks", e.Message);
        e = Assert.Throws<ArgumentException>(() => pattern.Revert(new int[4, 9], S));
        Assert.Contains("9 steps, more than the 8", e.Message);
    }

    [Fact]
    public void Generating_through_the_layout_with_a_prompt_keeps_the_prompt_and_fills_every_frame()
    {
        // audiocraft's LMModel.generate bookkeeping with an oracle "model" that predicts the true code of each cell
        const int k = 4, frames = 9, prompt = 3;
        var truth = RandomCodes(k, frames, seed: 3);
        var pattern = CodebookPatterns.Delay(k).GetPattern(frames);
        var known = new int[k, frames];
        for (var q = 0; q < k; q++)
            for (var t = 0; t < frames; t++) known[q, t] = t < prompt ? truth[q, t] : -1;
        var (sequence, mask) = pattern.Build(known, S);
        var start = pattern.FirstStepWithTimesteps(prompt)!.Value;
        Assert.Equal(prompt + 1, start);
        for (var step = start; step < pattern.SequenceLength; step++)
            for (var q = 0; q < k; q++)
            {
                // the cell a real model predicts at this step; forced to special where the layout has no code
                var predicted = mask[q, step] ? truth[q, step - 1 - q] : S;
                if (sequence[q, step] == -1) sequence[q, step] = predicted;
            }
        Assert.DoesNotContain(-1, sequence.Cast<int>());
        Assert.Equal(truth, pattern.Revert(sequence, S).Values);
    }

    internal static int[,] RandomCodes(int k, int t, int seed)
    {
        var random = new Random(seed);
        var codes = new int[k, t];
        for (var q = 0; q < k; q++)
            for (var i = 0; i < t; i++) codes[q, i] = random.Next(0, 2048);
        return codes;
    }
}
