using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// A Linear with the bias-tuning and LoRA terms of LLaMA-Adapter-style fine-tuning: W·x + b + B·(A·x) (bias and LoRA
/// optional). The one place the low-rank term enters a product, as llama.cpp's build_lora_mm.
/// </summary>
public sealed record AdaptedLinear(LinearWeights Base, LowRankDelta? Lora = null)
{
    public long InFeatures => Base.InFeatures;
    public long OutFeatures => Base.OutFeatures;

    public Tensor Apply(GgmlContext ctx, Tensor x)
    {
        var y = Base.Apply(ctx, x);
        return Lora is { } l ? ctx.Add(y, l.Apply(ctx, x)) : y;
    }
}
