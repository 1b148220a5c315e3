namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// A second-order IIR section, normalised so a0 = 1: y[n] = b0·x[n] + b1·x[n-1] + b2·x[n-2] − a1·y[n-1] − a2·y[n-2].
/// </summary>
public readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    /// <summary>Magnitude response at <paramref name="frequency"/> Hz for a filter running at <paramref name="sampleRate"/>.</summary>
    public double Gain(double frequency, int sampleRate)
    {
        double w = 2 * Math.PI * frequency / sampleRate;
        var z1 = System.Numerics.Complex.FromPolarCoordinates(1, -w);
        var z2 = z1 * z1;
        return ((B0 + B1 * z1 + B2 * z2) / (1 + A1 * z1 + A2 * z2)).Magnitude;
    }
}
