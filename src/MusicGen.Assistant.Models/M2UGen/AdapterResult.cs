namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// What one adapter pass produced for B items, every stage row-major in PyTorch order: <see cref="LayerMeans"/>
/// [B, C, W] (music only: the time mean fed to the aggregation), <see cref="Aggregated"/> and
/// <see cref="Normalized"/> [B, W], <see cref="Projected"/> and each of <see cref="Blocks"/> [B, D].
/// <see cref="Token"/> is the modality token M2UGen injects into the LLaMA.
/// </summary>
public sealed record AdapterResult(
    M2UGenModality Modality,
    int Batch,
    int InWidth,
    int Dim,
    float[]? LayerMeans,
    float[] Aggregated,
    float[] Normalized,
    float[] Projected,
    IReadOnlyList<float[]> Blocks)
{
    /// <summary>The adapter output [B, D]: one token per item.</summary>
    public float[] Token => Blocks[^1];

    /// <summary>Item <paramref name="index"/>'s token (D values).</summary>
    public ReadOnlySpan<float> TokenOf(int index)
    {
        if ((uint)index >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(index), index, $"the result holds {Batch} item(s)");
        return Token.AsSpan(index * Dim, Dim);
    }
}
