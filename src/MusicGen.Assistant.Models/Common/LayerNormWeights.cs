using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>nn.LayerNorm with its affine part: (x - mean) / sqrt(var + eps) · weight + bias over ne[0].</summary>
public sealed record LayerNormWeights(Tensor Weight, Tensor Bias, float Eps)
{
    public Tensor Apply(GgmlContext ctx, Tensor x) => ctx.Add(ctx.Mul(ctx.Norm(x, Eps), Weight), Bias);
}
