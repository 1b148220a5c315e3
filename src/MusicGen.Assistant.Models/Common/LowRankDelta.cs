using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// A LoRA pair at scale 1, B·(A·x): <see cref="Down"/> (A, PyTorch [rank, in], ggml {in, rank}) and <see cref="Up"/>
/// (B, [out, rank], {rank, out}), llama.cpp's <c>lora_a</c> / <c>lora_b</c>. Kept apart from the base weight so it can
/// be trained; two thin products per use.
/// </summary>
public sealed record LowRankDelta(Tensor Down, Tensor Up)
{
    public long Rank => Down.Ne1;

    public Tensor Apply(GgmlContext ctx, Tensor x) => ctx.MulMat(Up, ctx.MulMat(Down, x));
}
