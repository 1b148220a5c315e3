using System.Collections.Concurrent;

namespace MusicGen.Assistant.Audio.Resampling;

/// <summary>
/// The precomputed windowed-sinc filter of a rate pair, split into phases.
/// <para>With L = out/gcd and M = in/gcd, output sample n sits at input time t = n·M/L = i + p/L. It is
/// Σ_j x[i - H + 1 + j] · h(p/L + H - 1 - j) for j in [0, 2H), where h is a Kaiser-windowed sinc centred on 0
/// (zero phase: no delay to compensate) and H = ceil(half-width). Row p of the table holds those 2H taps, scaled to
/// sum to exactly 1 so DC passes with unit gain at every phase.</para>
/// <para>When L·2H would make the table too large (odd rate pairs such as 44100 → 44101) the table holds P evenly spaced
/// phases plus the end point, and a phase between two rows is linearly interpolated (error far below the stopband).</para>
/// </summary>
internal sealed class PolyphaseFilterBank
{
    private const long MaxExactTableFloats = 1 << 22;
    // Linear interpolation between 2048 phases errs by about (π/2048)²/8 of a tap: far below any stopband here.
    private const int InterpolatedPhases = 2048;
    private const long MaxTableFloats = 1 << 26;
    private const double DesignMarginDb = 3;

    private static readonly ConcurrentDictionary<(int, int, ResamplerQuality), PolyphaseFilterBank> Cache = new();

    private PolyphaseFilterBank(int inputRate, int outputRate, ResamplerQuality quality)
    {
        int g = Gcd(inputRate, outputRate);
        Up = outputRate / g;
        Down = inputRate / g;

        // Frequencies in cycles per input sample.
        double nyquistLow = 0.5 * Math.Min(inputRate, outputRate) / inputRate;
        double passband = quality.PassbandEdge * nyquistLow;
        double transition = nyquistLow - passband;
        double cutoff = passband + transition / 2;
        // Kaiser's formulas are empirical and land a little short at the band edge: design with a margin.
        double attenuation = quality.StopbandAttenuationDb + DesignMarginDb;
        double halfWidth = KaiserWindow.Length(attenuation, transition) / 2;
        // A multiple of 8 half-taps makes every row a whole number of 512-bit vectors (the extra taps are ~0).
        HalfTaps = ((int)Math.Ceiling(halfWidth) + 7) / 8 * 8;
        Taps = 2 * HalfTaps;

        Interpolated = Up > InterpolatedPhases && (long)Up * Taps > MaxExactTableFloats;
        Phases = Interpolated ? InterpolatedPhases : Up;
        int rows = Interpolated ? Phases + 1 : Phases;
        if ((long)rows * Taps > MaxTableFloats)
            throw new ArgumentException(
                $"Resampling {inputRate} Hz → {outputRate} Hz at {quality} needs a {rows}×{Taps} filter table; " +
                "the rate ratio is too extreme (resample in two steps or lower the quality).");
        Table = new float[(long)rows * Taps];

        double beta = KaiserWindow.Beta(attenuation);
        double i0Beta = KaiserWindow.BesselI0(beta);
        var row = new double[Taps];
        for (int r = 0; r < rows; r++)
        {
            double phase = (double)r / Phases;
            double sum = 0;
            for (int j = 0; j < Taps; j++)
            {
                double t = phase + HalfTaps - 1 - j;
                double v = 2 * cutoff * Sinc(2 * cutoff * t) * KaiserWindow.Value(t / halfWidth, beta, i0Beta);
                row[j] = v;
                sum += v;
            }
            Span<float> dst = Table.AsSpan(r * Taps, Taps);
            for (int j = 0; j < Taps; j++)
                dst[j] = (float)(row[j] / sum);
        }
    }

    /// <summary>L: output samples per <see cref="Down"/> input samples.</summary>
    public int Up { get; }

    /// <summary>M: input samples per <see cref="Up"/> output samples.</summary>
    public int Down { get; }

    /// <summary>H: the window reaches H - 1 samples back and H samples ahead of the integer input position.</summary>
    public int HalfTaps { get; }

    /// <summary>2H: input samples per output sample.</summary>
    public int Taps { get; }

    /// <summary>Rows between phase 0 and phase 1 (exact mode: L).</summary>
    public int Phases { get; }

    public bool Interpolated { get; }

    /// <summary>Row-major coefficients, <see cref="Taps"/> per row.</summary>
    public float[] Table { get; }

    public static PolyphaseFilterBank Get(int inputRate, int outputRate, ResamplerQuality quality)
    {
        if (Cache.Count > 32)
            Cache.Clear(); // a handful of rate pairs is the norm; never let odd ones pile up
        return Cache.GetOrAdd((inputRate, outputRate, quality), key => new PolyphaseFilterBank(key.Item1, key.Item2, key.Item3));
    }

    public static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }

    public ReadOnlySpan<float> Row(int r) => Table.AsSpan(r * Taps, Taps);

    /// <summary>Filters one window of <see cref="Taps"/> inputs for phase p/L.</summary>
    public float Apply(ReadOnlySpan<float> window, int phase)
    {
        if (!Interpolated)
            return SimdDot.Dot(window, Row(phase));
        long scaled = (long)phase * Phases;
        int r = (int)(scaled / Up);
        float frac = (float)(scaled % Up) / Up;
        float a = SimdDot.Dot(window, Row(r));
        if (frac == 0)
            return a;
        float b = SimdDot.Dot(window, Row(r + 1));
        return a + frac * (b - a);
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
}
