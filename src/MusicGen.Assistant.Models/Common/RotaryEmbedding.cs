using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Rotary position embedding of one model: which values of a head rotate (<see cref="Dims"/>), how they pair
/// (<see cref="Mode"/>) and the angle of pair i at position p, p · base^(-2i/dims) · scale (/ factor i when the
/// model carries per-pair frequency factors). Meta's LLaMA rotates adjacent pairs (<see cref="RopeMode.Normal"/>);
/// Hugging Face checkpoints rotate halves on q/k weights whose rows were permuted for it, which conversion undoes
/// (<see cref="Llama.LlamaCheckpointPlan"/>), so every LLaMA here runs in the normal mode, as llama.cpp's does.
/// </summary>
public sealed record RotaryEmbedding(int Dims, RopeMode Mode, float FreqBase, float FreqScale = 1f, Tensor? FreqFactors = null)
{
    /// <summary>Rotates q or k {head_dim, heads, n} at the token positions {n} (I32).</summary>
    public Tensor Apply(GgmlContext ctx, Tensor x, Tensor positions) => ctx.Rope(x, positions, Dims, Mode, FreqBase, FreqScale, FreqFactors);

    /// <summary>
    /// The same rotation on the host, for one head at one position: the reference the graph is tested against.
    /// Angles in double, as the ground truth; factors as the model's.
    /// </summary>
    public void ApplyReference(Span<float> head, int position, ReadOnlySpan<float> factors = default)
    {
        for (var i = 0; i < Dims / 2; i++)
        {
            var theta = position * Math.Pow(FreqBase, -2.0 * i / Dims) * FreqScale / (factors.IsEmpty ? 1.0 : factors[i]);
            var (a, b) = Mode == RopeMode.Normal ? (2 * i, 2 * i + 1) : (i, i + Dims / 2);
            double x0 = head[a], x1 = head[b], c = Math.Cos(theta), s = Math.Sin(theta);
            head[a] = (float)(x0 * c - x1 * s);
            head[b] = (float)(x0 * s + x1 * c);
        }
    }
}
