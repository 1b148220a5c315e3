namespace MusicGen.Assistant.Audio.Resampling;

/// <summary>
/// Filter design targets for <see cref="Resampler"/>. The stopband always starts at the Nyquist frequency of the lower
/// of the two rates (so nothing above it aliases by more than the stated attenuation); the passband is flat up to
/// <see cref="PassbandEdge"/> × that Nyquist; the filter's -6 dB point lies halfway between.
/// Filter length grows with attenuation and with 1 / (1 - PassbandEdge).
/// </summary>
public sealed class ResamplerQuality
{
    public ResamplerQuality(double stopbandAttenuationDb, double passbandEdge)
    {
        if (!(stopbandAttenuationDb is >= 40 and <= 180))
            throw new ArgumentOutOfRangeException(nameof(stopbandAttenuationDb), stopbandAttenuationDb,
                "Stopband attenuation must be between 40 and 180 dB.");
        if (!(passbandEdge is >= 0.5 and <= 0.995))
            throw new ArgumentOutOfRangeException(nameof(passbandEdge), passbandEdge,
                "Passband edge must be between 0.5 and 0.995 of the lower Nyquist frequency.");
        StopbandAttenuationDb = stopbandAttenuationDb;
        PassbandEdge = passbandEdge;
    }

    /// <summary>80 dB, flat to 90 % of Nyquist: about half the taps of <see cref="Standard"/>.</summary>
    public static ResamplerQuality Fast { get; } = new(80, 0.90);

    /// <summary>100 dB, flat to 94 % of Nyquist (cutoff at 97 %). The default.</summary>
    public static ResamplerQuality Standard { get; } = new(100, 0.94);

    /// <summary>120 dB, flat to 97 % of Nyquist: roughly 2.5× the taps of <see cref="Standard"/>.</summary>
    public static ResamplerQuality High { get; } = new(120, 0.97);

    /// <summary>Attenuation (dB) of everything at or above the lower Nyquist frequency.</summary>
    public double StopbandAttenuationDb { get; }

    /// <summary>Upper edge of the flat passband as a fraction of the lower Nyquist frequency.</summary>
    public double PassbandEdge { get; }

    public override bool Equals(object? obj) =>
        obj is ResamplerQuality q && q.StopbandAttenuationDb == StopbandAttenuationDb && q.PassbandEdge == PassbandEdge;

    public override int GetHashCode() => HashCode.Combine(StopbandAttenuationDb, PassbandEdge);

    public override string ToString() => $"{StopbandAttenuationDb} dB stopband, passband to {PassbandEdge:P1} of Nyquist";
}
