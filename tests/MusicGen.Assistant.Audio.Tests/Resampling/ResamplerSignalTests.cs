using MusicGen.Assistant.Audio.Resampling;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Audio.Tests.Resampling;

/// <summary>What the resampler does to signals: tones keep frequency, amplitude and phase; out-of-band tones vanish.</summary>
public class ResamplerSignalTests(ITestOutputHelper output)
{
    private const double Amplitude = 0.5;

    /// <summary>Output samples far enough from both ends that the zero padding does not reach the window.</summary>
    private static (int From, int To) Interior(int inRate, int outRate, int outLength, ResamplerQuality? quality = null)
    {
        int taps = new Resampler(inRate, outRate, quality).FilterLength;
        int margin = (int)Math.Ceiling((double)taps * outRate / inRate) + 2;
        return (margin, outLength - margin);
    }

    [Theory]
    [InlineData(44100, 32000, 1000.0)]
    [InlineData(48000, 32000, 1000.0)]
    [InlineData(22050, 32000, 1000.0)]
    [InlineData(8000, 32000, 1000.0)]
    [InlineData(32000, 24000, 1000.0)]
    [InlineData(44100, 24000, 3000.0)]
    [InlineData(16000, 44100, 5000.0)]
    [InlineData(96000, 32000, 12000.0)]
    [InlineData(44100, 44101, 1000.0)]   // a huge L: the interpolated phase table
    [InlineData(47999, 32000, 7000.0)]
    public void ToneKeepsFrequencyAmplitudeAndPhase(int inRate, int outRate, double frequency)
    {
        const double phase = 0.7;
        float[] x = Signals.Sine(frequency, inRate, inRate / 2, Amplitude, phase);
        float[] y = Resampler.Resample(x, inRate, outRate);
        (int from, int to) = Interior(inRate, outRate, y.Length);

        SineFit fit = SineFit.Of(y, frequency, outRate, from, to);
        output.WriteLine($"{inRate}->{outRate} {frequency} Hz: gain {fit.AmplitudeDb(Amplitude):E2} dB, " +
                         $"phase error {fit.Phase - phase:E2} rad, residual {20 * Math.Log10(fit.ResidualRms / Amplitude):F1} dB");
        Assert.InRange(fit.AmplitudeDb(Amplitude), -0.001, 0.001);
        // One output sample of delay would be 2π·f/outRate rad; the filter is centred, so the error is ~0.
        double oneSample = 2 * Math.PI * frequency / outRate;
        Assert.InRange(Math.Abs(fit.Phase - phase), 0, oneSample / 100);
        Assert.InRange(fit.ResidualRms / Amplitude, 0, 1e-4); // what is left is not this frequency: -80 dB or better
        Assert.InRange(Math.Abs(fit.Offset), 0, 1e-5);
    }

    [Fact]
    public void OneKilohertzAt44100To32000MatchesTheIdealSineSampleBySample()
    {
        float[] x = Signals.Sine(1000, 44100, 44100, Amplitude);
        float[] y = Resampler.Resample(x, 44100, 32000);
        float[] ideal = Signals.Sine(1000, 32000, y.Length, Amplitude);
        (int from, int to) = Interior(44100, 32000, y.Length);
        double maxError = 0;
        for (int n = from; n < to; n++)
            maxError = Math.Max(maxError, Math.Abs(y[n] - ideal[n]));
        output.WriteLine($"max error {maxError:E2}");
        Assert.InRange(maxError, 0, 2e-5);
    }

    [Theory]
    [InlineData(44100, 20000.0, 90)] // the brief's example: far above the new 16 kHz Nyquist
    [InlineData(44100, 16200.0, 90)] // just above Nyquist would alias to 15.8 kHz
    [InlineData(44100, 22000.0, 90)]
    [InlineData(47999, 16100.0, 90)] // interpolated phase table
    [InlineData(47999, 23000.0, 90)]
    public void ToneAboveTheNewNyquistIsRemoved(int inRate, double frequency, double minimumDb)
    {
        float[] x = Signals.Sine(frequency, inRate, inRate, Amplitude);
        float[] y = Resampler.Resample(x, inRate, 32000);
        (int from, int to) = Interior(inRate, 32000, y.Length);
        double attenuationDb = -20 * Math.Log10(SineFit.Rms(y, from, to) * Math.Sqrt(2) / Amplitude);
        output.WriteLine($"{inRate} Hz, {frequency} Hz tone: {attenuationDb:F1} dB down");
        Assert.True(attenuationDb >= minimumDb, $"{frequency} Hz only {attenuationDb:F1} dB down");
    }

    [Theory]
    [InlineData(80.0)]
    [InlineData(100.0)]
    [InlineData(120.0)]
    public void StopbandMeetsTheQualitysAttenuation(double attenuationDb)
    {
        var quality = attenuationDb switch { 80 => ResamplerQuality.Fast, 100 => ResamplerQuality.Standard, _ => ResamplerQuality.High };
        double worst = double.PositiveInfinity;
        foreach (double frequency in new[] { 16000.0, 16050.0, 16500.0, 18000.0, 21000.0, 22000.0 })
        {
            float[] x = Signals.Sine(frequency, 44100, 22050, Amplitude);
            float[] y = Resampler.Resample(x, 44100, 32000, quality);
            (int from, int to) = Interior(44100, 32000, y.Length, quality);
            worst = Math.Min(worst, -20 * Math.Log10(SineFit.Rms(y, from, to) * Math.Sqrt(2) / Amplitude));
        }
        output.WriteLine($"{quality}: worst stopband {worst:F1} dB");
        Assert.True(worst >= attenuationDb, $"worst stopband attenuation {worst:F1} dB");
    }

    [Theory]
    [InlineData(14000.0)]
    [InlineData(15000.0)]
    public void PassbandIsFlatUpTo94PercentOfNyquist(double frequency)
    {
        float[] x = Signals.Sine(frequency, 44100, 22050, Amplitude);
        float[] y = Resampler.Resample(x, 44100, 32000);
        (int from, int to) = Interior(44100, 32000, y.Length);
        double gainDb = SineFit.Of(y, frequency, 32000, from, to).AmplitudeDb(Amplitude);
        output.WriteLine($"{frequency} Hz: {gainDb:E2} dB");
        Assert.InRange(gainDb, -0.001, 0.001);
    }

    [Fact]
    public void UpsamplingLeavesNoImages()
    {
        // 8 kHz → 32 kHz: a 1 kHz tone has images at 7, 9, 15, 17 kHz unless the filter removes them.
        float[] x = Signals.Sine(1000, 8000, 8000, Amplitude);
        float[] y = Resampler.Resample(x, 8000, 32000);
        Assert.Equal(32000, y.Length);
        (int from, int to) = Interior(8000, 32000, y.Length);
        SineFit tone = SineFit.Of(y, 1000, 32000, from, to);
        Assert.InRange(tone.AmplitudeDb(Amplitude), -0.001, 0.001);
        // Images would be all that is left once the tone is removed.
        foreach (double image in new[] { 7000.0, 9000.0, 15000.0, 17000.0 })
        {
            float[] residual = new float[y.Length];
            for (int n = 0; n < y.Length; n++)
                residual[n] = (float)(y[n] - tone.Amplitude * Math.Sin(2 * Math.PI * 1000 * n / 32000 + tone.Phase));
            double level = SineFit.Of(residual, image, 32000, from, to).Amplitude;
            output.WriteLine($"image at {image} Hz: {20 * Math.Log10(level / Amplitude):F1} dB");
            Assert.True(level < Amplitude * 1e-5, $"image at {image} Hz is {20 * Math.Log10(level / Amplitude):F1} dB");
        }
        // Every 4th output sits exactly on an input sample and the band-limited tone passes through it.
        for (int n = (from + 3) / 4 * 4; n < to; n += 4)
            Assert.Equal(x[n / 4], y[n], 1e-5f);
    }

    [Theory]
    [InlineData(44100, 32000)]
    [InlineData(8000, 32000)]
    [InlineData(32000, 24000)]
    [InlineData(44100, 44101)]
    public void DcGainIsOne(int inRate, int outRate)
    {
        float[] x = new float[inRate / 4];
        Array.Fill(x, 0.75f);
        float[] y = Resampler.Resample(x, inRate, outRate);
        (int from, int to) = Interior(inRate, outRate, y.Length);
        for (int n = from; n < to; n++)
            Assert.Equal(0.75f, y[n], 1e-6f);
    }
}
