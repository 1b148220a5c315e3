namespace MusicGen.Assistant.Testing;

/// <summary>How far a computed array is from a reference, for tests that compare two computations of the same thing.</summary>
public static class ErrorMetrics
{
    /// <summary>‖actual − expected‖ / ‖expected‖ (root mean squares, in double).</summary>
    public static double RelativeRms(IReadOnlyList<float> actual, IReadOnlyList<float> expected)
    {
        if (actual.Count != expected.Count) throw new ArgumentException($"{actual.Count} values against {expected.Count}");
        double d = 0, s = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            double e = actual[i] - expected[i];
            d += e * e;
            s += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(d / Math.Max(s, 1e-30));
    }
}
