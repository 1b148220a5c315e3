using System.Globalization;

namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>Plain aligned text output (and the numbers in invariant culture, so they paste into BENCHMARKS.md).</summary>
public static class Report
{
    public static string F(double x, int digits = 2) => x.ToString("F" + digits, CultureInfo.InvariantCulture);
    public static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    public static void Line(string label, string value) => Console.WriteLine($"  {label,-28} {value}");

    public static void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        foreach (var r in all)
            Console.WriteLine("  " + string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
    }
}
