using System.Globalization;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Presentation;

/// <summary>One line of statistics of a float array: shape, mean, std, min, max and the first values.</summary>
internal static class FeatureSummary
{
    public static string Describe(ReadOnlySpan<float> values, IReadOnlyList<int> shape, int firstCount = 6)
    {
        double sum = 0, squares = 0;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in values)
        {
            sum += v;
            squares += (double)v * v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var n = Math.Max(1, values.Length);
        var mean = sum / n;
        var std = Math.Sqrt(Math.Max(0, squares / n - mean * mean));
        var first = string.Join(", ", values[..Math.Min(firstCount, values.Length)].ToArray().Select(v => v.ToString("0.#####", CultureInfo.InvariantCulture)));
        return string.Create(CultureInfo.InvariantCulture,
            $"[{string.Join(", ", shape)}]  mean {mean:0.#####}  std {std:0.#####}  min {min:0.#####}  max {max:0.#####}  first [{first}{(values.Length > firstCount ? ", ..." : "")}]");
    }

    public static void Write(CliConsole console, string label, ReadOnlySpan<float> values, IReadOnlyList<int> shape) =>
        console.Field(label, Describe(values, shape));
}
