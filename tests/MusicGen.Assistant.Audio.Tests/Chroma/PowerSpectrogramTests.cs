using MusicGen.Assistant.Audio.Chroma;

namespace MusicGen.Assistant.Audio.Tests.Chroma;

/// <summary>The STFT on a small size (n_fft 64, hop 16) against closed forms and a naive DFT.</summary>
public class PowerSpectrogramTests
{
    private const int N = 64, Hop = 16;
    private static readonly PowerSpectrogram Stft = new(N, Hop);

    [Fact]
    public void Frame_count_is_one_plus_length_over_hop_with_short_input_counted_as_n_fft()
    {
        Assert.Equal(17, Stft.FrameCount(256));
        Assert.Equal(17, Stft.FrameCount(271));
        Assert.Equal(18, Stft.FrameCount(272));
        Assert.Equal(5, Stft.FrameCount(1));
        Assert.Equal(5, Stft.FrameCount(N));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stft.FrameCount(0));
        // The real settings: 30 s at 32 kHz gives MusicGen-Melody's chroma_length of 235.
        Assert.Equal(235, new PowerSpectrogram(16384, 4096).FrameCount(30 * 32000));
    }

    [Fact]
    public void A_constant_has_the_hann_window_spectrum()
    {
        // Periodic Hann: W[0] = N/2, W[±1] = -N/4, others 0; Σw² = 3N/8. Reflection keeps a constant constant.
        const double a = 0.5;
        var power = AllFrames(Enumerable.Repeat((float)a, 256).ToArray());
        foreach (var frame in power)
        {
            Assert.Equal(a * a * 2 * N / 3, frame[0], 4);
            Assert.Equal(a * a * N / 6, frame[1], 4);
            Assert.All(frame.Skip(2), p => Assert.True(p < 1e-9, $"leakage {p}"));
        }
    }

    [Fact]
    public void A_bin_centred_sine_has_the_expected_peak_inside_the_signal()
    {
        const int k0 = 8;
        var x = new float[256];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)Math.Cos(2 * Math.PI * k0 * i / N);
        var power = AllFrames(x);
        // Frames whose window lies wholly inside the signal: no reflection involved.
        for (int t = 2; t <= 14; t++)
        {
            Assert.Equal(N / 6.0, power[t][k0], 3);      // (N/4)² / (3N/8)
            Assert.Equal(N / 24.0, power[t][k0 - 1], 3); // (N/8)² / (3N/8)
            Assert.Equal(N / 24.0, power[t][k0 + 1], 3);
            Assert.True(power[t][0] < 1e-6);
        }
    }

    [Theory]
    [InlineData(100)]
    [InlineData(64)]
    [InlineData(37)]
    [InlineData(1)]
    public void Every_frame_matches_a_naive_dft_of_the_padded_reflected_signal(int length)
    {
        float[] x = Signals.Noise(length, seed: length);
        // Reference construction: zero-pad to N centrally (odd extra at the end), then reflect-pad N/2 each side.
        int total = Math.Max(length, N), left = (total - length) / 2;
        var centred = new double[total];
        for (int i = 0; i < length; i++)
            centred[left + i] = x[i];
        var padded = new double[total + N];
        for (int p = 0; p < padded.Length; p++)
        {
            int q = p - N / 2;
            padded[p] = centred[q < 0 ? -q : q >= total ? 2 * (total - 1) - q : q];
        }

        var power = AllFrames(x);
        Assert.Equal(1 + total / Hop, power.Count);
        double energy = 3.0 * N / 8;
        for (int t = 0; t < power.Count; t++)
        {
            for (int k = 0; k <= N / 2; k++)
            {
                double re = 0, im = 0;
                for (int n = 0; n < N; n++)
                {
                    double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / N);
                    double v = padded[t * Hop + n] * w;
                    re += v * Math.Cos(2 * Math.PI * k * n / N);
                    im -= v * Math.Sin(2 * Math.PI * k * n / N);
                }
                double expected = (re * re + im * im) / energy;
                Assert.True(Math.Abs(power[t][k] - expected) <= 1e-5 + 1e-5 * expected,
                    $"frame {t} bin {k}: {power[t][k]} vs {expected}");
            }
        }
    }

    [Fact]
    public void Output_span_of_the_wrong_size_and_frame_out_of_range_are_refused()
    {
        int count = Stft.Open(new float[100]).Count;
        var ok = new float[N / 2 + 1];
        Assert.Throws<ArgumentException>(() => Stft.Open(new float[100]).Compute(0, new float[N]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stft.Open(new float[100]).Compute(count, ok));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PowerSpectrogram(63, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PowerSpectrogram(64, 0));
    }

    private static List<float[]> AllFrames(float[] x)
    {
        var frames = Stft.Open(x);
        var result = new List<float[]>();
        for (int t = 0; t < frames.Count; t++)
        {
            var p = new float[Stft.FrequencyBins];
            frames.Compute(t, p);
            result.Add(p);
        }
        return result;
    }
}
