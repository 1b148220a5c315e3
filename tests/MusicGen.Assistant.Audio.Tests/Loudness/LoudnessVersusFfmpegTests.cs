using MusicGen.Assistant.Audio.Loudness;
using MusicGen.Assistant.Audio.Tests.Media;
using MusicGen.Assistant.Audio.Wav;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Audio.Tests.Loudness;

/// <summary>Our meter and ffmpeg's <c>ebur128</c> filter on the very same files.</summary>
public sealed class LoudnessVersusFfmpegTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, int> Signals => new()
    {
        { "sine mono", 48000 },
        { "noise mono", 48000 },
        { "sine left noise right", 44100 },
        { "noise stereo", 32000 },
        { "swelling chord stereo", 44100 },
        { "quiet sine mono", 32000 },
    };

    [Theory]
    [MemberData(nameof(Signals))]
    public void Integrated_loudness_agrees_within_a_tenth_of_a_LU_true_peak_within_0_15_dB_and_range_within_half_a_LU(string signal, int rate)
    {
        AudioBuffer audio = Make(signal, rate, seconds: 8);
        string wav = _dir.File("signal.wav");
        WavWriter.Write(wav, audio);

        LoudnessMeasurement ours = LoudnessMeter.Measure(audio);
        (double integrated, double range, double truePeak) = Ffmpeg.Ebur128(wav);
        output.WriteLine($"{signal} at {rate} Hz: I {ours.IntegratedLufs:0.000} vs {integrated}, LRA {ours.LoudnessRangeLu:0.000} vs {range}, " +
                         $"true peak {ours.PeakDb:0.000} vs {truePeak}");

        // ffmpeg prints one decimal: its own rounding is up to 0.05 of the 0.1 allowed
        Assert.True(Math.Abs(ours.IntegratedLufs - integrated) <= 0.1, $"{signal} at {rate} Hz: ours {ours.IntegratedLufs:0.000}, ffmpeg {integrated}");
        Assert.True(Math.Abs(ours.PeakDb - truePeak) <= 0.15, $"{signal}: true peak ours {ours.PeakDb:0.000}, ffmpeg {truePeak}");
        Assert.True(Math.Abs(ours.LoudnessRangeLu - range) <= 0.5, $"{signal}: LRA ours {ours.LoudnessRangeLu:0.000}, ffmpeg {range}");
    }

    private static AudioBuffer Make(string signal, int rate, double seconds)
    {
        int n = (int)(rate * seconds);
        return signal switch
        {
            "sine mono" => new AudioBuffer(rate, [Tests.Signals.Sine(1000, rate, n, 0.25)]),
            "quiet sine mono" => new AudioBuffer(rate, [Tests.Signals.Sine(250, rate, n, 0.01)]),
            "noise mono" => new AudioBuffer(rate, [Tests.Signals.Noise(n, 11, 0.3f)]),
            "sine left noise right" => new AudioBuffer(rate, [Tests.Signals.Sine(3000, rate, n, 0.4), Tests.Signals.Noise(n, 12, 0.2f)]),
            "noise stereo" => new AudioBuffer(rate, [Tests.Signals.Noise(n, 13, 0.5f), Tests.Signals.Noise(n, 14, 0.5f)]),
            "swelling chord stereo" => Chord(rate, n),
            _ => throw new ArgumentException(signal),
        };
    }

    // Three partials whose level swells over ~20 dB: a signal with a real loudness range.
    private static AudioBuffer Chord(int rate, int n)
    {
        var left = new float[n];
        var right = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / rate;
            double envelope = Math.Pow(10, (-20 + 20 * (0.5 + 0.5 * Math.Sin(2 * Math.PI * t / 8))) / 20);
            double chord = Math.Sin(2 * Math.PI * 220 * t) + 0.5 * Math.Sin(2 * Math.PI * 277.2 * t) + 0.3 * Math.Sin(2 * Math.PI * 6600 * t);
            left[i] = (float)(0.3 * envelope * chord);
            right[i] = (float)(0.25 * envelope * chord);
        }
        return new AudioBuffer(rate, [left, right]);
    }
}
