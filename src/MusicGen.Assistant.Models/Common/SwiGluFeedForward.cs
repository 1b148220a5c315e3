using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// LLaMA's feed-forward block w2(silu(w1·x) ⊙ (w3·x)): <see cref="Gate"/> = w1 (llama.cpp ffn_gate), <see cref="Up"/> =
/// w3 (ffn_up), <see cref="Down"/> = w2 (ffn_down). w2's LoRA, when present, takes the gated product as its input.
/// </summary>
public sealed record SwiGluFeedForward(AdaptedLinear Gate, AdaptedLinear Up, AdaptedLinear Down)
{
    public Tensor Apply(GgmlContext ctx, Tensor x) => Down.Apply(ctx, ctx.SwiGlu(Gate.Apply(ctx, x), Up.Apply(ctx, x)));
}
