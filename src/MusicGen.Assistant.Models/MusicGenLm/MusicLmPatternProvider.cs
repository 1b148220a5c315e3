namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicLM's layout (audiocraft's <c>MusicLMPattern</c>): codebooks in groups of <c>groupBy</c>; each group is
/// flattened over all T frames (one code per step, frame-major inside the group) before the next group starts, so the
/// coarse group is generated for the whole clip first.
/// </summary>
/// <remarks>S = 1 + K·T.</remarks>
public sealed class MusicLmPatternProvider : CodebookPatternProvider
{
    public MusicLmPatternProvider(int codebookCount, int groupBy = 2) : base(codebookCount)
    {
        if (groupBy < 1 || codebookCount % groupBy != 0)
            throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, $"the group size must divide the {codebookCount} codebooks");
        GroupBy = groupBy;
    }

    public int GroupBy { get; }

    protected override IEnumerable<IEnumerable<LayoutCoord>> Layout(int timesteps)
    {
        yield return [];
        for (var first = 0; first < CodebookCount; first += GroupBy)
            for (var t = 0; t < timesteps; t++)
                for (var q = first; q < first + GroupBy; q++)
                    yield return [new LayoutCoord(t, q)];
    }

    protected override int CountSteps(int timesteps) => 1 + CodebookCount * timesteps;
}
