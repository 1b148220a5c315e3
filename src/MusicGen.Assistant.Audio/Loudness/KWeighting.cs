namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// The K-weighting of ITU-R BS.1770-4: a high-shelf "pre-filter" (head effects, +4 dB above ~1.7 kHz) followed by the
/// RLB high-pass (~38 Hz). BS.1770 tabulates both only at 48 kHz; here they are recomputed for any rate from the analog
/// parameters that reproduce that table (centre frequency, gain, Q; bilinear transform with pre-warping), so a
/// 44.1 or 32 kHz signal is measured at its own rate, not resampled.
/// </summary>
public static class KWeighting
{
    // Parameters whose bilinear transform at 48 kHz gives BS.1770-4's table to ~1e-9.
    private const double ShelfFrequency = 1681.974450955533;
    private const double ShelfGainDb = 3.999843853973347;
    private const double ShelfQ = 0.7071752369554196;
    private const double ShelfBandExponent = 0.4996667741545416;
    private const double HighPassFrequency = 38.13547087602444;
    private const double HighPassQ = 0.5003270373238773;

    /// <summary>The pre-filter (stage 1) for this rate.</summary>
    public static Biquad Shelf(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        double k = Math.Tan(Math.PI * ShelfFrequency / sampleRate);
        double vh = Math.Pow(10, ShelfGainDb / 20);
        double vb = Math.Pow(vh, ShelfBandExponent);
        double a0 = 1 + k / ShelfQ + k * k;
        return new Biquad(
            (vh + vb * k / ShelfQ + k * k) / a0,
            2 * (k * k - vh) / a0,
            (vh - vb * k / ShelfQ + k * k) / a0,
            2 * (k * k - 1) / a0,
            (1 - k / ShelfQ + k * k) / a0);
    }

    /// <summary>The RLB high-pass (stage 2) for this rate; its numerator is [1, −2, 1] as in BS.1770.</summary>
    public static Biquad HighPass(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        double k = Math.Tan(Math.PI * HighPassFrequency / sampleRate);
        double a0 = 1 + k / HighPassQ + k * k;
        return new Biquad(1, -2, 1, 2 * (k * k - 1) / a0, (1 - k / HighPassQ + k * k) / a0);
    }
}
