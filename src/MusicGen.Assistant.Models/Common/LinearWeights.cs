using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// A PyTorch Linear resident on a backend: weight {in, out} (ggml order of [out, in]) and an optional bias {out}.
/// <see cref="Apply"/> maps x {in, ...} to {out, ...}.
/// </summary>
public sealed record LinearWeights(Tensor Weight, Tensor? Bias = null)
{
    public long InFeatures => Weight.Ne0;
    public long OutFeatures => Weight.Ne1;

    public Tensor Apply(GgmlContext ctx, Tensor x)
    {
        var y = ctx.MulMat(Weight, x);
        return Bias is { } b ? ctx.Add(y, b) : y;
    }
}
