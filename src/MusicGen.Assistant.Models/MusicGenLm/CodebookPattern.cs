namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// A codebook interleaving layout (audiocraft's <c>Pattern</c> in modules/codebooks_patterns.py): how K parallel code
/// streams of T frames become one sequence of S steps that a language model walks left to right. Step s lists the
/// (timestep, codebook) cells the model predicts together at that step; each codebook appears at most once per step.
/// </summary>
/// <remarks>
/// Step 0 is always empty: it is the "nothing generated yet" input, filled with the special token, so the model's
/// output at step s predicts the cells of step s + 1. Cells whose timestep is at or past the number of frames (the
/// tail of a delayed codebook) are special too. A layout is built once per length by a
/// <see cref="CodebookPatternProvider"/>; <see cref="Build"/> and <see cref="Revert"/> are then plain gathers.
/// </remarks>
public sealed class CodebookPattern
{
    private readonly LayoutCoord[][] _steps;
    // [K, S]: the frame codebook q holds at step s, or -1 where step s has no cell for q (why: Build is a gather)
    private readonly int[,] _timestepAt;
    // [K, T]: the step holding (t, q), or -1 where the layout never places it (why: Revert is a gather)
    private readonly int[,] _stepOf;

    /// <param name="steps">The layout; <c>steps[0]</c> must be empty.</param>
    /// <param name="codebookCount">K, the number of parallel code streams.</param>
    /// <param name="timesteps">T, the number of audio frames the layout was made for.</param>
    public CodebookPattern(IEnumerable<IEnumerable<LayoutCoord>> steps, int codebookCount, int timesteps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (codebookCount < 1)
            throw new ArgumentOutOfRangeException(nameof(codebookCount), codebookCount, "a pattern needs at least one codebook");
        if (timesteps < 0)
            throw new ArgumentOutOfRangeException(nameof(timesteps), timesteps, "the number of frames cannot be negative");
        _steps = steps.Select(s => (s ?? throw new ArgumentException("a layout step is null", nameof(steps))).ToArray()).ToArray();
        CodebookCount = codebookCount;
        Timesteps = timesteps;
        if (_steps.Length == 0)
            throw new ArgumentException("the layout has no steps; it needs at least the empty initial step", nameof(steps));
        if (_steps[0].Length != 0)
            throw new ArgumentException(
                $"layout step 0 must be empty (it is the special-token start), but holds {string.Join(", ", _steps[0])}", nameof(steps));

        _timestepAt = new int[codebookCount, _steps.Length];
        _stepOf = new int[codebookCount, timesteps];
        Fill(_timestepAt, -1);
        Fill(_stepOf, -1);
        var lastTimestep = Enumerable.Repeat(-1, codebookCount).ToArray();
        var maxTimestepPlusOne = 0;
        for (var s = 0; s < _steps.Length; s++)
        {
            foreach (var c in _steps[s])
            {
                if (c.Codebook < 0 || c.Codebook >= codebookCount)
                    throw new ArgumentException($"layout step {s}: {c} names codebook {c.Codebook}, expected 0..{codebookCount - 1}", nameof(steps));
                if (c.Timestep < 0)
                    throw new ArgumentException($"layout step {s}: {c} has a negative timestep", nameof(steps));
                if (_timestepAt[c.Codebook, s] >= 0)
                    throw new ArgumentException($"layout step {s}: codebook {c.Codebook} appears twice", nameof(steps));
                // each codebook must move forward in time, or reverting could not tell which cell is the code
                if (c.Timestep <= lastTimestep[c.Codebook])
                    throw new ArgumentException(
                        $"layout step {s}: {c} does not come after timestep {lastTimestep[c.Codebook]} already placed for codebook {c.Codebook}",
                        nameof(steps));
                lastTimestep[c.Codebook] = c.Timestep;
                _timestepAt[c.Codebook, s] = c.Timestep;
                if (c.Timestep < timesteps) _stepOf[c.Codebook, c.Timestep] = s;
                maxTimestepPlusOne = Math.Max(maxTimestepPlusOne, c.Timestep + 1);
            }
        }
        MaxDelay = Math.Max(0, maxTimestepPlusOne - timesteps);
    }

    public int CodebookCount { get; }

    /// <summary>T: the number of audio frames this layout was made for.</summary>
    public int Timesteps { get; }

    /// <summary>S: the number of sequence steps, the empty initial step included (T + 4 for MusicGen's delay with K = 4).</summary>
    public int SequenceLength => _steps.Length;

    /// <summary>The number of language-model forward steps, S - 1 (audiocraft's <c>num_sequence_steps</c>).</summary>
    public int GenerationStepCount => _steps.Length - 1;

    /// <summary>How many steps past the last frame the layout runs (3 for MusicGen's delays [0, 1, 2, 3]).</summary>
    public int MaxDelay { get; }

    /// <summary>
    /// The leading steps that stay inside the frames, S - <see cref="MaxDelay"/>: training feeds only these
    /// (audiocraft's <c>valid_layout</c>, <c>keep_only_valid_steps=True</c>).
    /// </summary>
    public int ValidStepCount => _steps.Length - MaxDelay;

    public IReadOnlyList<IReadOnlyList<LayoutCoord>> Steps => _steps;

    /// <summary>
    /// The first step holding a cell of frame <paramref name="timestep"/> (of <paramref name="codebook"/> if given), or
    /// null if none does. With a prompt of P frames the generator starts predicting at
    /// <c>FirstStepWithTimesteps(P)</c>: everything before it is prefilled.
    /// </summary>
    public int? FirstStepWithTimesteps(int timestep, int? codebook = null)
    {
        if (codebook is { } q && (q < 0 || q >= CodebookCount))
            throw new ArgumentOutOfRangeException(nameof(codebook), q, $"expected a codebook in 0..{CodebookCount - 1}");
        for (var s = 0; s < _steps.Length; s++)
            foreach (var c in _steps[s])
                if (c.Timestep == timestep && (codebook is null || c.Codebook == codebook))
                    return s;
        return null;
    }

    /// <summary>
    /// Lays codes [K, T'] (T' ≤ T) out as the pattern sequence [K, S] (audiocraft's <c>build_pattern_sequence</c>).
    /// Cells the layout leaves empty, or whose timestep is ≥ T', get <paramref name="specialToken"/> and mask false.
    /// Codes may already hold placeholders (e.g. -1 for "not generated yet"); they are copied like any code.
    /// </summary>
    public MaskedCodes Build(int[,] codes, int specialToken, bool keepOnlyValidSteps = false)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.GetLength(0) != CodebookCount)
            throw new ArgumentException($"codes have {codes.GetLength(0)} codebooks, the pattern expects {CodebookCount}", nameof(codes));
        var frames = codes.GetLength(1);
        if (frames > Timesteps)
            throw new ArgumentException($"codes have {frames} frames, more than the {Timesteps} this pattern was built for", nameof(codes));
        var length = keepOnlyValidSteps ? ValidStepCount : SequenceLength;
        var values = new int[CodebookCount, length];
        var mask = new bool[CodebookCount, length];
        for (var q = 0; q < CodebookCount; q++)
            for (var s = 0; s < length; s++)
            {
                var t = _timestepAt[q, s];
                var valid = t >= 0 && t < frames;
                values[q, s] = valid ? codes[q, t] : specialToken;
                mask[q, s] = valid;
            }
        return new MaskedCodes(values, mask);
    }

    /// <summary>
    /// Recovers codes [K, T] from a pattern sequence [K, S'] (audiocraft's <c>revert_pattern_sequence</c>). S' may be
    /// shorter than the layout (a sequence still being generated): frames whose step is not there yet come back as
    /// <paramref name="specialToken"/> with mask false.
    /// </summary>
    public MaskedCodes Revert(int[,] sequence, int specialToken, bool keepOnlyValidSteps = false)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.GetLength(0) != CodebookCount)
            throw new ArgumentException($"sequence has {sequence.GetLength(0)} codebooks, the pattern expects {CodebookCount}", nameof(sequence));
        var layoutLength = keepOnlyValidSteps ? ValidStepCount : SequenceLength;
        var steps = sequence.GetLength(1);
        if (steps > layoutLength)
            throw new ArgumentException(
                $"sequence has {steps} steps, more than the {layoutLength} of this pattern{(keepOnlyValidSteps ? " (valid steps only)" : "")}",
                nameof(sequence));
        var values = new int[CodebookCount, Timesteps];
        var mask = new bool[CodebookCount, Timesteps];
        for (var q = 0; q < CodebookCount; q++)
            for (var t = 0; t < Timesteps; t++)
            {
                var s = _stepOf[q, t];
                var valid = s >= 0 && s < steps;
                values[q, t] = valid ? sequence[q, s] : specialToken;
                mask[q, t] = valid;
            }
        return new MaskedCodes(values, mask);
    }

    private static void Fill(int[,] a, int value)
    {
        for (var i = 0; i < a.GetLength(0); i++)
            for (var j = 0; j < a.GetLength(1); j++)
                a[i, j] = value;
    }
}
