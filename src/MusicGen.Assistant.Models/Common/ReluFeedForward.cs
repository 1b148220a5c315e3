using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// The feed-forward block Down · ReLU(Up · x) (PyTorch nn.TransformerEncoderLayer / DecoderLayer with the default
/// activation: linear2(relu(linear1(x))), dropout off).
/// </summary>
public sealed record ReluFeedForward(LinearWeights Up, LinearWeights Down)
{
    public Tensor Apply(GgmlContext ctx, Tensor x) => Down.Apply(ctx, ctx.Relu(Up.Apply(ctx, x)));
}
