namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// The weight norm of HuBERT's positional conv: transformers applies weight_norm(conv, dim=2), so the gain g has shape
/// [1, 1, taps] and the norm of v is taken over dims 0 and 1 for each tap: W[o, i, k] = g[k] · v[o, i, k] / ||v[:, :, k]||.
/// (The shared <see cref="WeightNorm"/> folds the usual dim=0 form.)
/// </summary>
public static class HubertWeightNorm
{
    /// <param name="g">One gain per tap.</param>
    /// <param name="v">[out, in, taps], row-major.</param>
    public static float[] FoldOverTaps(ReadOnlySpan<float> g, ReadOnlySpan<float> v, long[] shape)
    {
        if (shape.Length != 3) throw new ArgumentException($"expected a [out, in, taps] shape, got [{string.Join(", ", shape)}]", nameof(shape));
        long rows = shape[0] * shape[1], taps = shape[2];
        if (g.Length != taps || v.Length != rows * taps)
            throw new ArgumentException($"weight_g of {g.Length} values and weight_v of {v.Length} do not fit [{string.Join(", ", shape)}]");
        var norms = new double[taps];
        for (long r = 0; r < rows; r++)
            for (long k = 0; k < taps; k++)
            {
                double x = v[(int)(r * taps + k)];
                norms[k] += x * x;
            }
        var scale = new float[taps];
        for (var k = 0; k < taps; k++) scale[k] = (float)(g[k] / Math.Sqrt(norms[k]));
        var w = new float[v.Length];
        for (long r = 0; r < rows; r++)
            for (long k = 0; k < taps; k++)
                w[r * taps + k] = v[(int)(r * taps + k)] * scale[k];
        return w;
    }
}
