namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// BS.1770's channel weights G: 1.0 for left, right and centre, ≈1.41 (+1.5 dB) for the surrounds, 0 for the LFE.
/// Only layouts whose channel order is unambiguous get defaults; others must be given explicitly.
/// </summary>
public static class ChannelWeights
{
    /// <summary>Surround weight, +1.5 dB.</summary>
    public const double Surround = 1.41;

    /// <summary>Mono, stereo, and 5.1 in the usual file order (L, R, C, LFE, Ls, Rs).</summary>
    public static double[] For(int channelCount) => channelCount switch
    {
        1 => [1.0],
        2 => [1.0, 1.0],
        6 => [1.0, 1.0, 1.0, 0.0, Surround, Surround],
        _ => throw new ArgumentException(
            $"No default loudness weights for {channelCount} channels (the channel order is ambiguous); " +
            "pass one weight per channel (1.0 front, 1.41 surround, 0 LFE).", nameof(channelCount)),
    };
}
