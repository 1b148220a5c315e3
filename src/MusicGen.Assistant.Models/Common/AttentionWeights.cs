namespace MusicGen.Assistant.Models;

/// <summary>
/// The four projections of a multi-head attention block (transformers' q_proj, k_proj, v_proj, out_proj) and its
/// head count. Heads split the projected width as PyTorch's view(…, heads, head_dim): head h owns columns
/// [h·head_dim, (h+1)·head_dim).
/// </summary>
public sealed record AttentionWeights(LinearWeights Query, LinearWeights Key, LinearWeights Value, LinearWeights Output, int Heads)
{
    public int Width => (int)Query.OutFeatures;
    public int HeadDim => Width / Heads;

    /// <summary>1/sqrt(head_dim), the usual scaled dot product.</summary>
    public float Scale => 1f / MathF.Sqrt(HeadDim);
}
