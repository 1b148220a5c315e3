using System.Globalization;

namespace MusicGen.Assistant;

/// <summary>Human-readable sizes, durations and speeds for messages and summaries (invariant culture).</summary>
public static class Units
{
    public static string Bytes(long bytes)
    {
        string[] names = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var i = 0;
        while (value >= 1024 && i < names.Length - 1) { value /= 1024; i++; }
        return i == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {names[i]}");
    }

    /// <summary>"0.42 s" below a minute, "3:07" or "1:02:03" above.</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.00} s")
        : t.TotalHours < 1 ? t.ToString(@"m\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => Duration(TimeSpan.FromSeconds(seconds));

    /// <summary>"real-time factor 0.25 (4.0x faster than real time)": wall time over audio time.</summary>
    public static string RealTimeFactor(TimeSpan wall, double audioSeconds)
    {
        if (audioSeconds <= 0) return "real-time factor n/a";
        var rtf = wall.TotalSeconds / audioSeconds;
        var speed = rtf > 0 ? 1 / rtf : double.PositiveInfinity;
        return string.Create(CultureInfo.InvariantCulture,
            $"real-time factor {rtf:0.000} ({(rtf <= 1 ? $"{speed:0.0}x faster than" : $"{rtf:0.0}x slower than")} real time)");
    }

    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
