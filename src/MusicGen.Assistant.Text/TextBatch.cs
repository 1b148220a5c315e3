namespace MusicGen.Assistant.Text;

/// <summary>
/// A padded batch of token ids, row-major <c>[BatchSize, Length]</c>, with its attention mask
/// (1 = real token, 0 = padding).
/// </summary>
public sealed record TextBatch(int BatchSize, int Length, int[] InputIds, int[] AttentionMask)
{
    public ReadOnlySpan<int> Ids(int row) => InputIds.AsSpan(CheckRow(row) * Length, Length);

    public ReadOnlySpan<int> Mask(int row) => AttentionMask.AsSpan(CheckRow(row) * Length, Length);

    private int CheckRow(int row) =>
        (uint)row < (uint)BatchSize ? row : throw new ArgumentOutOfRangeException(nameof(row), row, $"batch has {BatchSize} rows");
}
