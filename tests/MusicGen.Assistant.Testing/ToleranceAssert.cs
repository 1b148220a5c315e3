using System.Globalization;
using Xunit.Sdk;

namespace MusicGen.Assistant.Testing;

/// <summary>Compares computed values with a reference vector under its stated tolerance; failures name the worst element.</summary>
public static class ToleranceAssert
{
    public static void Matches(ReferenceVector expected, IReadOnlyList<double> actual, long[]? actualShape = null)
    {
        var tolerance = expected.Tolerance ?? throw new XunitException($"{expected} is an input, not an expected value");
        if (actualShape is not null && !actualShape.SequenceEqual(expected.Shape))
            throw new XunitException($"{expected}: shape [{string.Join(", ", actualShape)}], expected [{string.Join(", ", expected.Shape)}]");
        var e = expected.Values();
        if (e.Length != actual.Count) throw new XunitException($"{expected}: {actual.Count} values, expected {e.Length}");
        var failures = 0;
        var worst = -1;
        var worstExcess = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            var diff = Math.Abs(actual[i] - e[i]);
            var allowed = tolerance.Exact ? 0 : tolerance.Atol + tolerance.Rtol * Math.Abs(e[i]);
            if (double.IsNaN(actual[i]) || diff > allowed)
            {
                failures++;
                var excess = double.IsNaN(actual[i]) ? double.PositiveInfinity : diff - allowed;
                if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
            }
        }
        if (failures > 0)
            throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                $"{expected}: {failures} of {e.Length} values outside {tolerance}; worst at flat index {worst} ({Index(worst, expected.Shape)}): expected {e[worst]}, got {actual[worst]}"));
    }

    private static string Index(int flat, long[] shape)
    {
        var idx = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat = (int)(flat / shape[d]); }
        return "[" + string.Join(", ", idx) + "]";
    }
}
