namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The delay pattern (audiocraft's <c>DelayedPatternProvider</c>): codebook q is shifted right by delays[q] steps, so
/// one step predicts frame t of codebook 0 together with frame t - d of a codebook delayed by d. MusicGen uses delays
/// [0, 1, 2, 3]; all zeros is the parallel pattern; a sorted list with repeats (e.g. [0, 1, 1, 1]) is "partial delay";
/// the released stereo models use [0, 0, 1, 1, 2, 2, 3, 3] over [L0, R0, L1, R1, ...].
/// </summary>
/// <remarks>
/// Layout: the empty initial step, <c>emptyInitial</c> more empty steps, then the first <c>flattenFirst</c> frames one
/// codebook per step, then for t = flattenFirst .. T + maxDelay - 1 one step holding (t - delays[q], q) for every q
/// whose shifted frame is ≥ flattenFirst. S = 1 + emptyInitial + min(T, flattenFirst)·K + T + maxDelay - flattenFirst.
/// <code>
/// T = 4, delays [0, 1, 2, 3] (S special, a..d the codes of q0..q3):
///   q0: S a0 a1 a2 a3 S  S  S
///   q1: S S  b0 b1 b2 b3 S  S
///   q2: S S  S  c0 c1 c2 c3 S
///   q3: S S  S  S  d0 d1 d2 d3
/// </code>
/// </remarks>
public sealed class DelayedPatternProvider : CodebookPatternProvider
{
    private readonly int[] _delays;

    /// <param name="delays">Per-codebook delays, sorted; default [0, 1, ..., K-1].</param>
    /// <param name="flattenFirst">Frames at the start generated one codebook per step (no delay among them).</param>
    /// <param name="emptyInitial">Extra empty steps after the initial one.</param>
    public DelayedPatternProvider(int codebookCount, IReadOnlyList<int>? delays = null, int flattenFirst = 0, int emptyInitial = 0)
        : base(codebookCount)
    {
        _delays = CheckDelays(delays ?? Enumerable.Range(0, codebookCount).ToArray(), codebookCount, nameof(delays));
        if (flattenFirst < 0)
            throw new ArgumentOutOfRangeException(nameof(flattenFirst), flattenFirst, "cannot flatten a negative number of frames");
        if (emptyInitial < 0)
            throw new ArgumentOutOfRangeException(nameof(emptyInitial), emptyInitial, "cannot add a negative number of empty steps");
        FlattenFirst = flattenFirst;
        EmptyInitial = emptyInitial;
    }

    public IReadOnlyList<int> Delays => _delays;
    public int FlattenFirst { get; }
    public int EmptyInitial { get; }
    public int MaxDelay => _delays.Max();

    protected override IEnumerable<IEnumerable<LayoutCoord>> Layout(int timesteps)
    {
        yield return [];
        for (var i = 0; i < EmptyInitial; i++) yield return [];
        for (var t = 0; t < Math.Min(timesteps, FlattenFirst); t++)
            for (var q = 0; q < CodebookCount; q++)
                yield return [new LayoutCoord(t, q)];
        for (var t = FlattenFirst; t < timesteps + MaxDelay; t++)
        {
            var step = new List<LayoutCoord>(CodebookCount);
            for (var q = 0; q < CodebookCount; q++)
                if (t - _delays[q] >= FlattenFirst) step.Add(new LayoutCoord(t - _delays[q], q));
            yield return step;
        }
    }

    protected override int CountSteps(int timesteps) =>
        1 + EmptyInitial + Math.Min(timesteps, FlattenFirst) * CodebookCount + Math.Max(0, timesteps + MaxDelay - FlattenFirst);
}
