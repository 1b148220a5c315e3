using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The named intermediate tensors of one adapter pass; <see cref="Token"/> is the last block's output.</summary>
public sealed record AdapterStageTensors(Tensor? LayerMeans, Tensor Aggregated, Tensor Normalized, Tensor Projected, IReadOnlyList<Tensor> Blocks)
{
    public Tensor Token => Blocks[^1];

    public IEnumerable<Tensor> All => (LayerMeans is { } m ? [m] : Array.Empty<Tensor>()).Concat([Aggregated, Normalized, Projected]).Concat(Blocks);
}

/// <summary>
/// Builds one M2UGen understanding adapter (m2ugen.py forward_audio / forward_image / forward_video with
/// encode_audio's time mean; all three are the same graph over different sizes). Pure graph construction. Shapes in
/// ggml order, B items per call:
/// music features {W, T, C, B} → time mean {W, C, B}; image / video features {W, C, B};
/// → aggregation {W, B} → L2 normalisation {W, B} → projection {D, B} → blocks {D, B}.
/// </summary>
public sealed class AdapterGraph(GgmlContext ctx, ModalityAdapterWeights weights)
{
    private readonly ModalityAdapterConfig _c = weights.Config;

    /// <summary>Tensors the graph creates: sizes the context and the executor.</summary>
    public static int Capacity(ModalityAdapterConfig c) => 16 * c.Blocks + 32;

    /// <param name="features">Encoder features: music hidden states {W, T, C, B} (or their time means {W, C, B} when
    /// <paramref name="timeAveraged"/>), image / video tokens {W, C, B}.</param>
    /// <param name="timeAveraged">Music only: the caller already averaged each hidden state over time.</param>
    public AdapterStageTensors Build(Tensor features, bool timeAveraged = false)
    {
        if (timeAveraged && !_c.PoolsTime) throw new ArgumentException($"the {_c.Modality.Name()} adapter does not average over time", nameof(timeAveraged));
        var means = !_c.PoolsTime ? (Tensor?)null : timeAveraged ? features : Named(TimeMean(features), "layer_means");
        var aggregated = Named(Aggregate(means ?? features), "agg");
        var normalized = Named(L2Normalize(aggregated), "normalized");
        var x = Named(weights.Projection.Apply(ctx, normalized), "proj");
        var projected = x;
        var blocks = new List<Tensor>();
        for (var i = 0; i < weights.Blocks.Count; i++)
        {
            x = Named(ResidualBlock(weights.Blocks[i], x), $"block{i + 1}");
            blocks.Add(x);
        }
        return new AdapterStageTensors(means, aggregated, normalized, projected, blocks);
    }

    /// <summary>encode_audio's mean over frames of every MERT hidden state: {W, T, C, B} → {W, C, B}.</summary>
    public Tensor TimeMean(Tensor hidden)
    {
        long w = hidden.Ne0, frames = hidden.Ne1, c = hidden.Ne2, b = hidden.Ne3;
        var byFrame = ctx.Cont(ctx.Permute(hidden, 1, 0, 2, 3));                             // {T, W, C, B}
        var sums = ctx.SumRows(byFrame);                                                      // {1, W, C, B}
        return ctx.Reshape(ctx.Scale(sums, 1f / frames), w, c, b);
    }

    /// <summary>
    /// <c>agg</c>: Conv1d(C, 1, kernel_size=1) over the hidden-state / token axis, then squeeze: a learned weighted sum
    /// of the C rows plus a bias. {W, C, B} → {W, B}.
    /// </summary>
    public Tensor Aggregate(Tensor rows)
    {
        long w = rows.Ne0, b = rows.Ne2;
        var byChannel = ctx.Cont(ctx.Permute(rows, 1, 0, 2, 3));                             // {C, W, B}
        var mixed = ctx.MulMat(weights.AggWeight, byChannel);                                 // {1, W, B}
        return ctx.Add(ctx.Reshape(mixed, w, b), weights.AggBias);
    }

    /// <summary>
    /// F.normalize(x, dim=-1) times the single-input mixing weight. Done as one RMS norm: with eps' = eps²/W,
    /// x / sqrt(mean(x²) + eps') / sqrt(W) = x / sqrt(‖x‖² + eps²), which equals x / max(‖x‖, eps) except for vectors
    /// within eps of zero (where both stay finite).
    /// </summary>
    public Tensor L2Normalize(Tensor x)
    {
        var width = x.Ne0;
        var eps = (float)(_c.L2Epsilon * _c.L2Epsilon / width);
        return ctx.Scale(ctx.RmsNorm(x, eps), (float)(_c.InputScale / Math.Sqrt(width)));
    }

    /// <summary>x + f2(silu(f1(n)) · f3(n)) with n = RMSNorm(x) · weight (llama.py RMSNorm, weight only).</summary>
    public Tensor ResidualBlock(AdapterBlockWeights w, Tensor x)
    {
        var n = ctx.Mul(ctx.RmsNorm(x, (float)_c.NormEpsilon), w.Norm);
        var gated = ctx.Mul(ctx.Silu(ctx.MulMat(w.Gate, n)), ctx.MulMat(w.Up, n));
        return ctx.Add(x, ctx.MulMat(w.Down, gated));
    }

    private Tensor Named(Tensor t, string stage) => t.Named($"{_c.Modality.Name()}.{stage}");
}
