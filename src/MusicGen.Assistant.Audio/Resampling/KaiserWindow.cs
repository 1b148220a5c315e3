namespace MusicGen.Assistant.Audio.Resampling;

/// <summary>The Kaiser window and Kaiser's empirical design formulas (Oppenheim &amp; Schafer, 7.6).</summary>
internal static class KaiserWindow
{
    /// <summary>β giving a stopband attenuation of <paramref name="attenuationDb"/>.</summary>
    public static double Beta(double attenuationDb) => attenuationDb switch
    {
        > 50 => 0.1102 * (attenuationDb - 8.7),
        >= 21 => 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21),
        _ => 0,
    };

    /// <summary>Filter length (in samples) for the attenuation and a transition width in cycles per sample.</summary>
    public static double Length(double attenuationDb, double transitionWidth) =>
        (attenuationDb - 7.95) / (14.36 * transitionWidth);

    /// <summary>Window value at <paramref name="u"/> ∈ [-1, 1] (0 outside).</summary>
    public static double Value(double u, double beta, double i0OfBeta)
    {
        double r = 1 - u * u;
        return r <= 0 ? 0 : BesselI0(beta * Math.Sqrt(r)) / i0OfBeta;
    }

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    public static double BesselI0(double x)
    {
        double quarterX2 = x * x / 4;
        double term = 1, sum = 1;
        for (int k = 1; k < 500; k++)
        {
            term *= quarterX2 / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17)
                break;
        }
        return sum;
    }
}
