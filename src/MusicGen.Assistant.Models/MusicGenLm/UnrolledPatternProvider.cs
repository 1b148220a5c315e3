namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The flattening ("unrolled") pattern (audiocraft's <c>UnrolledPatternProvider</c>): each frame is spread over several
/// steps. <c>flattening[q]</c> is the inner step codebook q goes to; codebooks with the same inner step are predicted
/// together. [0, 1, 2, 3] is full flattening (K steps per frame, the paper's best quality), [0, 1, 1, 1] "partial
/// flattening" (codebook 0 alone, then 1..3 together: 2 steps per frame).
/// </summary>
/// <remarks>
/// Layout: the empty initial step, then for every frame slot p = 0 .. T + maxDelay - 1 and every inner step
/// g = 0 .. max(flattening), one step holding (p - delay_g, q) for the codebooks q of group g with p - delay_g ≥ 0.
/// An inner step no codebook maps to stays an empty step. S = 1 + (T + maxDelay) · (max(flattening) + 1).
/// Delays are this port's reading: group g's codes of frame t are emitted in slot t + delay_g. audiocraft orders its
/// unrolled steps by sorting (slot, coordinates) tuples instead, so with non-zero delays its order may differ; the
/// paper's flattening variants use no delays, where both agree.
/// </remarks>
public sealed class UnrolledPatternProvider : CodebookPatternProvider
{
    private readonly int[] _flattening;
    private readonly int[] _delays;
    private readonly int[][] _groups;      // inner step -> its codebooks (possibly none)
    private readonly int[] _groupDelays;   // inner step -> the delay its codebooks share

    /// <param name="flattening">Inner step per codebook, sorted; default [0, 1, ..., K-1] (full flattening).</param>
    /// <param name="delays">Per-codebook delay in frame slots, sorted; codebooks sharing an inner step must share it. Default zeros.</param>
    public UnrolledPatternProvider(int codebookCount, IReadOnlyList<int>? flattening = null, IReadOnlyList<int>? delays = null)
        : base(codebookCount)
    {
        _flattening = CheckDelays(flattening ?? Enumerable.Range(0, codebookCount).ToArray(), codebookCount, nameof(flattening));
        _delays = CheckDelays(delays ?? new int[codebookCount], codebookCount, nameof(delays));
        var innerSteps = _flattening.Max() + 1;
        _groups = Enumerable.Range(0, innerSteps)
            .Select(g => Enumerable.Range(0, codebookCount).Where(q => _flattening[q] == g).ToArray())
            .ToArray();
        _groupDelays = new int[innerSteps];
        for (var g = 0; g < innerSteps; g++)
        {
            if (_groups[g].Length == 0) continue;
            _groupDelays[g] = _delays[_groups[g][0]];
            foreach (var q in _groups[g])
                if (_delays[q] != _groupDelays[g])
                    throw new ArgumentException(
                        $"codebooks {_groups[g][0]} and {q} are flattened to the same inner step {g} but have delays {_groupDelays[g]} and {_delays[q]}",
                        nameof(delays));
        }
    }

    public IReadOnlyList<int> Flattening => _flattening;
    public IReadOnlyList<int> Delays => _delays;

    /// <summary>Steps per frame: max(flattening) + 1.</summary>
    public int InnerStepCount => _groups.Length;

    public int MaxDelay => _delays.Max();

    protected override IEnumerable<IEnumerable<LayoutCoord>> Layout(int timesteps)
    {
        yield return [];
        for (var slot = 0; slot < timesteps + MaxDelay; slot++)
            for (var g = 0; g < _groups.Length; g++)
            {
                var t = slot - _groupDelays[g];
                yield return t < 0 ? [] : _groups[g].Select(q => new LayoutCoord(t, q)).ToArray();
            }
    }

    protected override int CountSteps(int timesteps) => 1 + (timesteps + MaxDelay) * _groups.Length;
}
