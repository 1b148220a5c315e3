using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.MusicGenLm;

/// <summary>How a sequence of states becomes one vector for the similarity matrices.</summary>
public enum Pooling { Max, Mean }

/// <summary>The representation regularization's switches: on or off, its weight λ and the pooling.</summary>
public sealed record RegularizationSettings(bool Enabled = true, double Lambda = 3.0, Pooling Pooling = Pooling.Max);

/// <summary>
/// Representation similarity regularization (Shi et al., arXiv 2309.08773, as the brief specifies it): in a step
/// whose text condition was dropped, pool each sample's text states and its audio states (the LM's final hidden
/// states) over time, form each modality's in-batch cosine-similarity matrix, and add λ · the mean squared difference
/// of the two matrices over the off-diagonal pairs i ≠ j. The text side has no trainable parameter here (frozen T5
/// and projection), so its matrix is computed on the host and enters as an input; the audio side is in the graph.
/// </summary>
public static class RepresentationRegularization
{
    /// <summary>Pools rows of a [length, width] row-major sequence (its first <paramref name="length"/> rows) into [width].</summary>
    public static double[] Pool(ReadOnlySpan<float> states, int length, int width, Pooling pooling)
    {
        if (length < 1 || states.Length < length * width) throw new ArgumentException($"{length} rows of width {width} need {length * width} values, got {states.Length}");
        var v = new double[width];
        for (var i = 0; i < width; i++) v[i] = pooling == Pooling.Max ? double.NegativeInfinity : 0;
        for (var t = 0; t < length; t++)
            for (var i = 0; i < width; i++)
            {
                var x = states[t * width + i];
                v[i] = pooling == Pooling.Max ? Math.Max(v[i], x) : v[i] + x / length;
            }
        return v;
    }

    /// <summary>The cosine-similarity matrix [B, B] (row-major) of pooled vectors.</summary>
    public static double[] CosineMatrix(IReadOnlyList<double[]> pooled)
    {
        var b = pooled.Count;
        var s = new double[b * b];
        var norms = pooled.Select(v => Math.Sqrt(v.Sum(x => x * x))).ToArray();
        for (var i = 0; i < b; i++)
            for (var j = 0; j < b; j++)
            {
                double dot = 0;
                for (var k = 0; k < pooled[i].Length; k++) dot += pooled[i][k] * pooled[j][k];
                s[i * b + j] = dot / Math.Max(norms[i] * norms[j], 1e-12);
            }
        return s;
    }

    /// <summary>λ · mean over i ≠ j of (Sᵗ_ij − Sᵃ_ij)², on the host (the reference the graph is tested against).</summary>
    public static double Value(double[] textSimilarity, double[] audioSimilarity, int batch, double lambda)
    {
        double sum = 0;
        for (var i = 0; i < batch; i++)
            for (var j = 0; j < batch; j++)
                if (i != j) sum += Math.Pow(textSimilarity[i * batch + j] - audioSimilarity[i * batch + j], 2);
        return lambda * sum / (batch * (batch - 1));
    }

    /// <summary>
    /// The term in a graph: <paramref name="audio"/> {width, n, B} pooled over n, L2-normalised, Sᵃ = ÂᵀÂ {B, B};
    /// <paramref name="textSimilarity"/> an F32 input {B, B}; <paramref name="offDiagonal"/> an F32 input {B, B} of
    /// ones with a zero diagonal. Returns λ · Σ ((Sᵃ − Sᵗ) ⊙ offDiagonal)² / (B(B−1)), a {1} tensor.
    /// </summary>
    public static Tensor Build(GgmlContext ctx, Tensor audio, Tensor textSimilarity, Tensor offDiagonal, RegularizationSettings settings)
    {
        long width = audio.Ne0, batch = audio.Ne2;
        if (batch < 2) throw new ArgumentException("the regularization compares samples of a batch: it needs at least two");
        var pooled = ctx.PoolColumns(audio, max: settings.Pooling == Pooling.Max);                  // {width, 1, B}: over time
        var vectors = ctx.Reshape(pooled, width, batch);                                            // {width, B}
        // x / ‖x‖ as an RMS norm: x / sqrt(mean(x²) + ε) / sqrt(width)
        var unit = ctx.Scale(ctx.RmsNorm(vectors, 1e-12f), 1f / MathF.Sqrt(width));
        var similarity = ctx.MulMat(unit, unit);                                                    // {B, B}: Âᵀ·Â
        var diff = ctx.Mul(ctx.Sub(similarity, textSimilarity), offDiagonal);
        return ctx.Scale(ctx.Sum(ctx.Sqr(diff)), (float)(settings.Lambda / (batch * (batch - 1))));
    }

    /// <summary>Ones with a zero diagonal, [B, B].</summary>
    public static float[] OffDiagonal(int batch)
    {
        var m = new float[batch * batch];
        for (var i = 0; i < batch; i++)
            for (var j = 0; j < batch; j++) m[i * batch + j] = i == j ? 0 : 1;
        return m;
    }
}
