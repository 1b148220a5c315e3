using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Cli.Tests.Helpers;

/// <summary>WAV files for the tests, written and read with the project's own WAV code.</summary>
public static class TestAudio
{
    public static string Write(string path, int rate, WavSampleFormat format, params float[][] channels)
    {
        WavWriter.Write(path, new AudioBuffer(rate, channels), format);
        return path;
    }

    public static AudioBuffer Read(string path) => WavReader.Read(path);

    /// <summary>A few partials with a slow envelope: broadband enough to exercise the resampler and codec.</summary>
    public static float[] Tones(int rate, int samples, double phase = 0) =>
        Enumerable.Range(0, samples).Select(i =>
        {
            var t = (double)i / rate;
            return (float)(0.3 * Math.Sin(2 * Math.PI * 330 * t + phase) + 0.2 * Math.Sin(2 * Math.PI * 1870 * t) * Math.Sin(2 * Math.PI * 0.7 * t)
                           + 0.1 * Math.Sin(2 * Math.PI * 7300 * t + 2 * phase));
        }).ToArray();

    /// <summary>Root-mean-square of a - b relative to the RMS of b.</summary>
    public static double RelativeRmsError(float[] a, float[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double err = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            err += (a[i] - (double)b[i]) * (a[i] - (double)b[i]);
            norm += (double)b[i] * b[i];
        }
        return Math.Sqrt(err / norm);
    }
}
