using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

/// <summary>
/// The real ffmpeg, run directly by the tests to make media files and to cross-check our measurements. When ffmpeg is
/// missing, <see cref="MediaTools.Default"/> throws and the test fails with the install command (never skips).
/// </summary>
public static partial class Ffmpeg
{
    /// <summary>Runs ffmpeg with these arguments; returns its stderr; fails the test if it fails.</summary>
    public static string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo(MediaTools.Default.FfmpegPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["-hide_banner", "-nostdin", "-nostats", .. arguments])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        stdout.Wait();
        Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stderr}");
        return stderr;
    }

    /// <summary>Writes <paramref name="audio"/> as WAV, then converts it with ffmpeg using the given output arguments.</summary>
    public static string Encode(TempDirectory dir, string name, AudioBuffer audio, params string[] outputArguments)
    {
        string wav = dir.File(name + ".source.wav");
        WavWriter.Write(wav, audio);
        string path = dir.File(name);
        Run(["-loglevel", "error", "-i", wav, .. outputArguments, "-y", path]);
        File.Delete(wav);
        return path;
    }

    /// <summary>ffmpeg's EBU R128 summary for a file: integrated loudness, loudness range and true peak (dBTP).</summary>
    public static (double Integrated, double Range, double TruePeak) Ebur128(string path)
    {
        string stderr = Run("-loglevel", "info", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-");
        int summary = stderr.LastIndexOf("Summary:", StringComparison.Ordinal);
        Assert.True(summary >= 0, $"no ebur128 summary in ffmpeg's output:\n{stderr}");
        string text = stderr[summary..];
        return (Value(IntegratedLine(), text), Value(RangeLine(), text), Value(PeakLine(), text));
    }

    private static double Value(Regex pattern, string text)
    {
        Match m = pattern.Match(text);
        Assert.True(m.Success, $"'{pattern}' not found in the ebur128 summary:\n{text}");
        return m.Groups[1].Value == "-inf" ? double.NegativeInfinity : double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\bI:\s+(-?[\d.]+|-inf) LUFS")]
    private static partial Regex IntegratedLine();

    [GeneratedRegex(@"\bLRA:\s+(-?[\d.]+) LU")]
    private static partial Regex RangeLine();

    [GeneratedRegex(@"\bPeak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakLine();
}
