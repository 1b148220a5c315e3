namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>Runs the two K-weighting sections over one channel, in double precision, keeping state between blocks.</summary>
internal sealed class KWeightingFilter(int sampleRate)
{
    private readonly Biquad _shelf = KWeighting.Shelf(sampleRate);
    private readonly Biquad _highPass = KWeighting.HighPass(sampleRate);
    // Transposed direct form II: two state values per section.
    private double _s1, _s2, _h1, _h2;

    /// <summary>Filters <paramref name="input"/> and returns Σ y² over it.</summary>
    public double SumOfSquares(ReadOnlySpan<float> input)
    {
        Biquad s = _shelf, h = _highPass;
        double s1 = _s1, s2 = _s2, h1 = _h1, h2 = _h2, sum = 0;
        foreach (float x in input)
        {
            double u = s.B0 * x + s1;
            s1 = s.B1 * x - s.A1 * u + s2;
            s2 = s.B2 * x - s.A2 * u;
            double y = h.B0 * u + h1;
            h1 = h.B1 * u - h.A1 * y + h2;
            h2 = h.B2 * u - h.A2 * y;
            sum += y * y;
        }
        (_s1, _s2, _h1, _h2) = (s1, s2, h1, h2);
        return sum;
    }
}
