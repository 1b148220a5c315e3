namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// The interleaving set-ups by the names the MusicGen paper and audiocraft's configs use, so callers say what they
/// mean (<c>CodebookPatterns.Delay(4)</c>) instead of spelling out delay lists.
/// </summary>
public static class CodebookPatterns
{
    /// <summary>MusicGen's default: delays [0, 1, ..., K-1] (T + K steps for T frames).</summary>
    public static DelayedPatternProvider Delay(int codebookCount) => new(codebookCount);

    /// <summary>Any sorted delay list, e.g. "partial delay" [0, 1, 1, 1].</summary>
    public static DelayedPatternProvider PartialDelay(IReadOnlyList<int> delays) =>
        new((delays ?? throw new ArgumentNullException(nameof(delays))).Count, delays);

    /// <summary>All codebooks of a frame in one step (delays all 0): T + 1 steps.</summary>
    public static DelayedPatternProvider Parallel(int codebookCount) => new(codebookCount, new int[codebookCount]);

    /// <summary>One codebook per step: K·T + 1 steps.</summary>
    public static UnrolledPatternProvider Flattening(int codebookCount) => new(codebookCount);

    /// <summary>
    /// Codebook 0 alone, then the rest together: flattening [0, 1, 1, ..., 1], 2T + 1 steps.
    /// </summary>
    public static UnrolledPatternProvider PartialFlattening(int codebookCount) =>
        new(codebookCount, Enumerable.Range(0, codebookCount).Select(q => q == 0 ? 0 : 1).ToArray());

    /// <summary>The paper's "VALL-E": codebook 0 for all frames, then the others in parallel.</summary>
    public static CoarseFirstPatternProvider CoarseFirst(int codebookCount, IReadOnlyList<int>? delays = null) => new(codebookCount, delays);

    public static MusicLmPatternProvider MusicLm(int codebookCount, int groupBy = 2) => new(codebookCount, groupBy);

    /// <summary>
    /// The released stereo models: codebooks [L0, R0, L1, R1, ...] with delays [0, 0, 1, 1, ..., K-1, K-1]
    /// (left and right of quantizer q both delayed by q).
    /// </summary>
    public static DelayedPatternProvider StereoDelay(int codebooksPerChannel) =>
        PartialDelay(StereoCodebooks.InterleaveDelays(Enumerable.Range(0, PositiveCount(codebooksPerChannel)).ToArray()));

    /// <summary>
    /// Stereo with per-channel partial delay [0, 1, 1, ...]: [L0, R0] at delay 0, every other codebook at delay 1.
    /// </summary>
    public static DelayedPatternProvider StereoPartialDelay(int codebooksPerChannel) =>
        PartialDelay(StereoCodebooks.InterleaveDelays(
            Enumerable.Range(0, PositiveCount(codebooksPerChannel)).Select(q => q == 0 ? 0 : 1).ToArray()));

    private static int PositiveCount(int codebooksPerChannel) => codebooksPerChannel >= 1
        ? codebooksPerChannel
        : throw new ArgumentOutOfRangeException(nameof(codebooksPerChannel), codebooksPerChannel, "need at least one codebook per channel");
}
