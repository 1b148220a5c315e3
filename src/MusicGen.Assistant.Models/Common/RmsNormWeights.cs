using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>RMSNorm with its weight: x / sqrt(mean(x²) + eps) · weight over ne[0] (LLaMA's, M2UGen adapters').</summary>
public sealed record RmsNormWeights(Tensor Weight, float Eps)
{
    public Tensor Apply(GgmlContext ctx, Tensor x) => ctx.Mul(ctx.RmsNorm(x, Eps), Weight);
}
