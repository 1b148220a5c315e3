using System.Diagnostics;
using System.Text;

namespace MusicGen.Assistant.Tests.Helpers;

/// <summary>Small pictures and clips for the attachment tests: a binary PPM written here, a video made by ffmpeg.</summary>
internal static class TestPictures
{
    /// <summary>A width × height RGB gradient as binary PPM (P6), which ffmpeg decodes.</summary>
    public static string Ppm(string path, int width, int height)
    {
        using var stream = File.Create(path);
        stream.Write(Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n"));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                stream.Write([(byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)), (byte)((x * 7 + y * 13) % 256)]);
        return path;
    }

    /// <summary>An mp4 of ffmpeg's test pattern (size, seconds, frame rate), encoded losslessly enough for any check here.</summary>
    public static string Video(string path, int width, int height, double seconds, int rate)
    {
        var info = new ProcessStartInfo("ffmpeg")
        {
            ArgumentList = { "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate={rate}", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p", path },
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg could not make the test video: {errors}");
        return path;
    }
}
