namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Makes the <see cref="CodebookPattern"/> of one interleaving strategy for any number of frames (audiocraft's
/// <c>CodebooksPatternProvider</c>). Concrete strategies: <see cref="DelayedPatternProvider"/> (MusicGen's default, also
/// parallel and partial delay), <see cref="UnrolledPatternProvider"/> (flattening), <see cref="CoarseFirstPatternProvider"/>
/// ("VALL-E") and <see cref="MusicLmPatternProvider"/>; <see cref="CodebookPatterns"/> names the common set-ups.
/// </summary>
public abstract class CodebookPatternProvider
{
    protected CodebookPatternProvider(int codebookCount)
    {
        if (codebookCount < 1)
            throw new ArgumentOutOfRangeException(nameof(codebookCount), codebookCount, "a pattern needs at least one codebook");
        CodebookCount = codebookCount;
    }

    /// <summary>K, the number of parallel code streams.</summary>
    public int CodebookCount { get; }

    /// <summary>The layout for <paramref name="timesteps"/> frames.</summary>
    public CodebookPattern GetPattern(int timesteps)
    {
        if (timesteps < 0)
            throw new ArgumentOutOfRangeException(nameof(timesteps), timesteps, "the number of frames cannot be negative");
        return new CodebookPattern(Layout(timesteps), CodebookCount, timesteps);
    }

    /// <summary>
    /// S, the sequence length (initial empty step included) of the layout for <paramref name="timesteps"/> frames,
    /// without building it: what a caller sizes a KV cache by. The generator runs S - 1 forward steps.
    /// </summary>
    public int StepCount(int timesteps)
    {
        if (timesteps < 0)
            throw new ArgumentOutOfRangeException(nameof(timesteps), timesteps, "the number of frames cannot be negative");
        return CountSteps(timesteps);
    }

    /// <summary>The steps of the layout, starting with the empty initial step.</summary>
    protected abstract IEnumerable<IEnumerable<LayoutCoord>> Layout(int timesteps);

    /// <summary>Closed form of the layout's length (tests check it against <see cref="Layout"/>).</summary>
    protected abstract int CountSteps(int timesteps);

    /// <summary>Checks a per-codebook delay list: non-negative and sorted, as audiocraft requires.</summary>
    protected static int[] CheckDelays(IReadOnlyList<int> delays, int expectedCount, string name)
    {
        if (delays.Count != expectedCount)
            throw new ArgumentException($"{name} has {delays.Count} entries, expected {expectedCount}", name);
        for (var i = 0; i < delays.Count; i++)
        {
            if (delays[i] < 0)
                throw new ArgumentException($"{name}[{i}] = {delays[i]} is negative", name);
            if (i > 0 && delays[i] < delays[i - 1])
                throw new ArgumentException(
                    $"{name} must be sorted (non-decreasing), but [{string.Join(", ", delays)}] has {delays[i]} after {delays[i - 1]}", name);
        }
        return delays.ToArray();
    }
}
