namespace MusicGen.Assistant.Audio.Tests.Resampling;

/// <summary>Least-squares fit of a·sin(ωn) + b·cos(ωn) + c at a known frequency over a sample range.</summary>
public sealed record SineFit(double Amplitude, double Phase, double Offset, double ResidualRms)
{
    public double AmplitudeDb(double reference) => 20 * Math.Log10(Amplitude / reference);

    public static SineFit Of(ReadOnlySpan<float> x, double frequency, int sampleRate, int from, int to)
    {
        double w = 2 * Math.PI * frequency / sampleRate;
        // Normal equations for the basis (sin, cos, 1).
        var m = new double[3, 3];
        var v = new double[3];
        for (int n = from; n < to; n++)
        {
            double[] basis = [Math.Sin(w * n), Math.Cos(w * n), 1];
            for (int i = 0; i < 3; i++)
            {
                v[i] += basis[i] * x[n];
                for (int j = 0; j < 3; j++)
                    m[i, j] += basis[i] * basis[j];
            }
        }
        double[] s = Solve(m, v);
        double residual = 0;
        for (int n = from; n < to; n++)
        {
            double e = x[n] - (s[0] * Math.Sin(w * n) + s[1] * Math.Cos(w * n) + s[2]);
            residual += e * e;
        }
        return new SineFit(Math.Sqrt(s[0] * s[0] + s[1] * s[1]), Math.Atan2(s[1], s[0]), s[2],
            Math.Sqrt(residual / (to - from)));
    }

    /// <summary>RMS of a sample range.</summary>
    public static double Rms(ReadOnlySpan<float> x, int from, int to)
    {
        double sum = 0;
        for (int n = from; n < to; n++)
            sum += (double)x[n] * x[n];
        return Math.Sqrt(sum / (to - from));
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        // Cramer's rule is plenty for a well-conditioned 3×3.
        double det = Det(a);
        var result = new double[3];
        for (int k = 0; k < 3; k++)
        {
            var ak = (double[,])a.Clone();
            for (int i = 0; i < 3; i++)
                ak[i, k] = b[i];
            result[k] = Det(ak) / det;
        }
        return result;
    }

    private static double Det(double[,] a) =>
        a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
        - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
        + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
}
