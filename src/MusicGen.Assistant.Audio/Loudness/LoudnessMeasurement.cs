namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>
/// What <see cref="LoudnessMeter"/> measured. Loudness values are LUFS (LU for the range); a value that cannot be
/// measured (silence, or audio shorter than one 400 ms block) is <see cref="double.NegativeInfinity"/>.
/// </summary>
public sealed record LoudnessMeasurement
{
    /// <summary>Gated integrated loudness (BS.1770-4 / EBU R128 "I").</summary>
    public required double IntegratedLufs { get; init; }

    /// <summary>Loudness range (EBU Tech 3342 "LRA"), 0 when there are too few 3 s windows.</summary>
    public required double LoudnessRangeLu { get; init; }

    /// <summary>Highest momentary (400 ms) loudness.</summary>
    public required double MaxMomentaryLufs { get; init; }

    /// <summary>Highest short-term (3 s) loudness.</summary>
    public required double MaxShortTermLufs { get; init; }

    /// <summary>Largest |sample| over all channels, linear (1.0 = full scale).</summary>
    public required double SamplePeak { get; init; }

    /// <summary>Largest |value| of the 4x (2x above 96 kHz) oversampled signal, linear; null when not measured.</summary>
    public double? TruePeak { get; init; }

    /// <summary>400 ms blocks that passed both gates.</summary>
    public required int GatedBlocks { get; init; }

    public required TimeSpan Duration { get; init; }

    public double SamplePeakDbfs => ToDecibels(SamplePeak);

    /// <summary>True peak in dBTP; the sample peak's dB when true peak was not measured.</summary>
    public double PeakDb => ToDecibels(TruePeak ?? SamplePeak);

    /// <summary>True when there was signal above the absolute gate to measure.</summary>
    public bool HasLoudness => !double.IsNegativeInfinity(IntegratedLufs);

    public static double ToDecibels(double linear) => linear > 0 ? 20 * Math.Log10(linear) : double.NegativeInfinity;

    public override string ToString() =>
        $"I {IntegratedLufs:0.0} LUFS, LRA {LoudnessRangeLu:0.0} LU, peak {PeakDb:0.0} dB{(TruePeak is null ? "FS" : "TP")}";
}
