using System.Diagnostics;
using MusicGen.Assistant.Audio.Media;

namespace MusicGen.Assistant.Training.Procedural;

/// <summary>
/// A short silent video of a spec's picture pulsing on its beat: frames are drawn here and piped as raw RGB into
/// ffmpeg (H.264, yuv420p, one encoder thread so the same frames give the same file with the same ffmpeg build).
/// Written to a temp file and renamed into place.
/// </summary>
public static class VideoClip
{
    public static void Write(MusicSpec spec, string path, int width, int height, int fps, double seconds, MediaTools? tools = null)
    {
        if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}: video sides must be even and at least 16 pixels");
        if (fps is < 1 or > 60) throw new ArgumentOutOfRangeException(nameof(fps), fps, "1..60 frames per second");
        if (!(seconds > 0 && seconds <= 120)) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "0 < seconds <= 120");
        var ffmpeg = (tools ?? MediaTools.Default).FfmpegPath;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp.mp4");
        var psi = new ProcessStartInfo(ffmpeg) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}",
                     "-r", fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                     "-threads", "1", "-y", temp })
            psi.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(psi) ?? throw new IOException($"could not start {ffmpeg}");
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var frames = (int)Math.Round(seconds * fps);
            try
            {
                using var stdin = process.StandardInput.BaseStream;
                for (var f = 0; f < frames; f++)
                    stdin.Write(CoverArt.Draw(spec, width, height, CoverArt.Pulse(spec, (double)f / fps)).Pixels);
            }
            catch (IOException) { /* ffmpeg quit early: its exit status and message say why */ }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new IOException($"ffmpeg could not encode the video '{full}' (exit {process.ExitCode}): {errors.Result.Trim()}");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
