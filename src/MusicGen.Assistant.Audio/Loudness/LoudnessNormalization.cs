namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>What <see cref="LoudnessNormalizer"/> did.</summary>
public sealed record LoudnessNormalization
{
    /// <summary>The scaled audio (the input itself when nothing was applied).</summary>
    public required AudioBuffer Audio { get; init; }

    /// <summary>The input's measurement.</summary>
    public required LoudnessMeasurement Before { get; init; }

    public required double TargetLufs { get; init; }

    public required double PeakCeilingDb { get; init; }

    /// <summary>Gain applied, dB (0 when skipped).</summary>
    public required double GainDb { get; init; }

    /// <summary>True when the peak ceiling held the gain below what the target asked for.</summary>
    public required bool PeakLimited { get; init; }

    /// <summary>Why no gain was applied (silent or too short to measure); null when it was.</summary>
    public string? SkippedBecause { get; init; }

    /// <summary>Integrated loudness after the gain (a linear gain shifts every block by the same amount).</summary>
    public double OutputLufs => Before.IntegratedLufs + GainDb;

    /// <summary>Peak after the gain, dB (true peak when measured).</summary>
    public double OutputPeakDb => Before.PeakDb + GainDb;

    public override string ToString() => SkippedBecause is { } why
        ? $"not normalized: {why}"
        : $"{Before.IntegratedLufs:0.0} LUFS -> {OutputLufs:0.0} LUFS (gain {GainDb:+0.0;-0.0} dB, peak {OutputPeakDb:0.0} dB" +
          (PeakLimited ? $", held by the {PeakCeilingDb:0.0} dB peak ceiling)" : ")");
}
