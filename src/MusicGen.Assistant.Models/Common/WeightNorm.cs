namespace MusicGen.Assistant.Models;

/// <summary>
/// torch.nn.utils.weight_norm: W = g * v / ||v||, the norm taken over every dimension but the first. Folded once at
/// conversion so graphs only see plain weights.
/// </summary>
public static class WeightNorm
{
    /// <param name="g">One gain per slice of the first dimension.</param>
    /// <param name="v">The direction tensor, row-major, first dimension slowest.</param>
    public static float[] Fold(ReadOnlySpan<float> g, ReadOnlySpan<float> v)
    {
        if (g.Length == 0 || v.Length % g.Length != 0)
            throw new ArgumentException($"weight_g has {g.Length} values, which does not divide weight_v's {v.Length}");
        var slice = v.Length / g.Length;
        var w = new float[v.Length];
        for (var i = 0; i < g.Length; i++)
        {
            var part = v.Slice(i * slice, slice);
            double sum = 0;
            foreach (var x in part) sum += (double)x * x;
            var scale = (float)(g[i] / Math.Sqrt(sum));
            for (var j = 0; j < slice; j++) w[i * slice + j] = part[j] * scale;
        }
        return w;
    }
}
