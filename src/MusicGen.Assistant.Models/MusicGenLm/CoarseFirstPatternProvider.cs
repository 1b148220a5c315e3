namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The coarse-first pattern (audiocraft's <c>CoarseFirstPattern</c>, called "VALL-E" in the MusicGen paper): all T
/// frames of codebook 0 first, one per step, then codebooks 1..K-1 in parallel, each with its own (sorted) delay.
/// </summary>
/// <remarks>S = 1 + T + T + max(delays).</remarks>
public sealed class CoarseFirstPatternProvider : CodebookPatternProvider
{
    private readonly int[] _delays;

    /// <param name="delays">Delays of codebooks 1..K-1 (K-1 entries, sorted); default zeros.</param>
    public CoarseFirstPatternProvider(int codebookCount, IReadOnlyList<int>? delays = null) : base(codebookCount)
    {
        if (codebookCount < 2)
            throw new ArgumentOutOfRangeException(nameof(codebookCount), codebookCount, "coarse-first needs a coarse codebook and at least one more");
        _delays = CheckDelays(delays ?? new int[codebookCount - 1], codebookCount - 1, nameof(delays));
    }

    /// <summary>The delays of codebooks 1..K-1.</summary>
    public IReadOnlyList<int> Delays => _delays;

    public int MaxDelay => _delays.Max();

    protected override IEnumerable<IEnumerable<LayoutCoord>> Layout(int timesteps)
    {
        yield return [];
        for (var t = 0; t < timesteps; t++)
            yield return [new LayoutCoord(t, 0)];
        for (var t = 0; t < timesteps + MaxDelay; t++)
        {
            var step = new List<LayoutCoord>(_delays.Length);
            for (var i = 0; i < _delays.Length; i++)
                if (t - _delays[i] >= 0) step.Add(new LayoutCoord(t - _delays[i], i + 1));
            yield return step;
        }
    }

    protected override int CountSteps(int timesteps) => 1 + 2 * timesteps + MaxDelay;
}
