using System.Collections.Concurrent;

namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// The chroma filter bank of librosa.filters.chroma (as transformers' audio_utils.chroma_filter_bank re-states it), with
/// the defaults MusicGen-Melody uses: tuning 0 (A440), Gaussian bumps two bins wide per pitch class, each FFT bin's
/// column L2-normalised, an octave weighting centred on octave 5 with half-width 2, rows starting at C.
/// <para><see cref="Weights"/> is <c>[NumChroma, FrequencyBins]</c>, row-major: chroma c = Σ_f Weights[c, f] · power[f].</para>
/// </summary>
public sealed class ChromaFilterBank
{
    private const double OctaveWeightCentre = 5.0, OctaveWeightHalfWidth = 2.0;

    private static readonly ConcurrentDictionary<(int Rate, int NFft, int Chroma), ChromaFilterBank> Cache = new();

    private readonly float[] _weights;

    private ChromaFilterBank(int samplingRate, int nFft, int numChroma, float[] weights)
    {
        SamplingRate = samplingRate;
        NFft = nFft;
        NumChroma = numChroma;
        _weights = weights;
    }

    public int SamplingRate { get; }

    public int NFft { get; }

    public int NumChroma { get; }

    /// <summary>n_fft / 2 + 1: the one-sided spectrum the bank applies to.</summary>
    public int FrequencyBins => NFft / 2 + 1;

    /// <summary><c>[NumChroma, FrequencyBins]</c>, row-major, float32 like the reference.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The weights of one pitch class (0 = C).</summary>
    public ReadOnlySpan<float> Row(int chroma)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chroma);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chroma, NumChroma);
        return _weights.AsSpan(chroma * FrequencyBins, FrequencyBins);
    }

    /// <summary>The bank for these settings, built on first use and shared afterwards (it is immutable).</summary>
    public static ChromaFilterBank Get(int samplingRate, int nFft, int numChroma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplingRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numChroma);
        if (nFft < 2 || nFft % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(nFft), nFft, "The FFT size must be even and at least 2.");
        return Cache.GetOrAdd((samplingRate, nFft, numChroma), k => Build(k.Rate, k.NFft, k.Chroma));
    }

    /// <summary>chroma[c] = Σ_f Weights[c, f] · power[f], summed in double.</summary>
    public void Apply(ReadOnlySpan<float> power, Span<double> chroma)
    {
        if (power.Length != FrequencyBins)
            throw new ArgumentException($"The power spectrum has {power.Length} bins, the filter bank {FrequencyBins}.", nameof(power));
        if (chroma.Length != NumChroma)
            throw new ArgumentException($"The chroma output has {chroma.Length} entries, the filter bank {NumChroma}.", nameof(chroma));
        for (int c = 0; c < NumChroma; c++)
        {
            ReadOnlySpan<float> row = _weights.AsSpan(c * FrequencyBins, FrequencyBins);
            double sum = 0;
            for (int f = 0; f < row.Length; f++)
                sum += (double)row[f] * power[f];
            chroma[c] = sum;
        }
    }

    private static ChromaFilterBank Build(int samplingRate, int nFft, int numChroma)
    {
        int bins = nFft / 2 + 1;
        // Only columns 0..bins-1 are kept, but column j's width looks at bin j+1, so one more pitch value is needed.
        var pitch = new double[bins + 1];
        double binHz = (double)samplingRate / nFft;
        double a0 = 440.0 / 16; // tuning 0: A440 four octaves down is octave 0
        for (int j = 1; j < pitch.Length; j++)
            pitch[j] = numChroma * Math.Log2(j * binHz / a0);
        // The 0 Hz bin has no pitch: librosa places it 1.5 octaves below bin 1 (half-way round the chroma circle).
        pitch[0] = pitch[1] - 1.5 * numChroma;

        double half = Math.Round(numChroma / 2.0, MidpointRounding.ToEven); // numpy's round
        int shift = 3 * (numChroma / 12); // rows start at C instead of A
        var weights = new float[numChroma * bins];
        var column = new double[numChroma];
        for (int j = 0; j < bins; j++)
        {
            // The last of the n_fft columns has width 1; it is never among the kept ones (j <= n_fft/2 < n_fft-1).
            double width = Math.Max(pitch[j + 1] - pitch[j], 1.0);
            double sumSquares = 0;
            for (int c = 0; c < numChroma; c++)
            {
                double distance = FloorMod(pitch[j] - c + half + 10.0 * numChroma, numChroma) - half;
                double scaled = 2 * distance / width;
                double value = Math.Exp(-0.5 * scaled * scaled);
                column[c] = value;
                sumSquares += value * value;
            }
            double octave = (pitch[j] / numChroma - OctaveWeightCentre) / OctaveWeightHalfWidth;
            double scale = Math.Exp(-0.5 * octave * octave) / Math.Sqrt(sumSquares);
            for (int c = 0; c < numChroma; c++)
            {
                int row = ((c - shift) % numChroma + numChroma) % numChroma;
                weights[row * bins + j] = (float)(column[c] * scale);
            }
        }
        return new ChromaFilterBank(samplingRate, nFft, numChroma, weights);
    }

    // numpy.remainder: the result has the sign of the divisor.
    private static double FloorMod(double x, double m) => x - m * Math.Floor(x / m);
}
