namespace MusicGen.Assistant.Audio.Loudness;

/// <summary>The gating arithmetic of BS.1770-4 (integrated loudness) and EBU Tech 3342 (loudness range).</summary>
internal static class LoudnessGating
{
    public const double AbsoluteGateLufs = -70;
    public const double IntegratedRelativeGateLu = -10;
    public const double RangeRelativeGateLu = -20;
    private const double LowPercentile = 0.10, HighPercentile = 0.95;

    /// <summary>L = −0.691 + 10·log10(Σ G·mean square).</summary>
    public static double Loudness(double weightedMeanSquare) =>
        weightedMeanSquare > 0 ? -0.691 + 10 * Math.Log10(weightedMeanSquare) : double.NegativeInfinity;

    public static double MeanSquareOf(double loudness) => Math.Pow(10, (loudness + 0.691) / 10);

    /// <summary>Integrated loudness of 400 ms block powers: absolute gate, then a relative gate 10 LU under the mean.</summary>
    public static (double Lufs, int Blocks) Integrated(IReadOnlyList<double> blockPowers)
    {
        double absolute = MeanSquareOf(AbsoluteGateLufs);
        (double sum, int count) = SumAbove(blockPowers, absolute);
        if (count == 0)
            return (double.NegativeInfinity, 0);
        double relative = MeanSquareOf(Loudness(sum / count) + IntegratedRelativeGateLu);
        (sum, count) = SumAbove(blockPowers, Math.Max(absolute, relative));
        return count == 0 ? (double.NegativeInfinity, 0) : (Loudness(sum / count), count);
    }

    /// <summary>
    /// Loudness range of 3 s window powers: absolute gate, relative gate 20 LU under their mean, then the spread
    /// between the 10th and 95th percentiles of the remaining loudness values.
    /// </summary>
    public static double Range(IReadOnlyList<double> windowPowers)
    {
        double absolute = MeanSquareOf(AbsoluteGateLufs);
        (double sum, int count) = SumAbove(windowPowers, absolute);
        if (count == 0)
            return 0;
        double relative = MeanSquareOf(Loudness(sum / count) + RangeRelativeGateLu);
        double gate = Math.Max(absolute, relative);
        var kept = new List<double>(count);
        foreach (double p in windowPowers)
            if (p > gate)
                kept.Add(Loudness(p));
        if (kept.Count < 2)
            return 0;
        kept.Sort();
        double low = kept[(int)Math.Round((kept.Count - 1) * LowPercentile)];
        double high = kept[(int)Math.Round((kept.Count - 1) * HighPercentile)];
        return high - low;
    }

    private static (double Sum, int Count) SumAbove(IReadOnlyList<double> powers, double gate)
    {
        double sum = 0;
        int count = 0;
        foreach (double p in powers)
        {
            if (p > gate)
            {
                sum += p;
                count++;
            }
        }
        return (sum, count);
    }
}
