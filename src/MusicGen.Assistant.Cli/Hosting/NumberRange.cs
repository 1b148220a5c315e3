using System.Globalization;
using System.Numerics;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// The values a number option accepts: [Min, Max] (Min itself excluded when <see cref="MinExclusive"/>), whole numbers
/// only when <see cref="Integer"/>, and the words the error uses for them ("a positive number of seconds up to 3600").
/// Bounds are decimals so that a 64-bit seed's range is exact.
/// </summary>
internal sealed record NumberRange(decimal Min, decimal Max, string Description, bool MinExclusive = false, bool Integer = false)
{
    /// <summary>The value of <paramref name="token"/> if it is a number in range; otherwise why not (one clause).</summary>
    public (decimal? Value, string? Problem) Check(string token)
    {
        var text = token.Trim();
        if (Integer)
        {
            if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            {
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return (null, "not a number");
                if (!double.IsFinite(real)) return (null, "not a finite number");
                // "2e3" is a whole number written in another way; "1.5" is not one
                if (real != Math.Floor(real) || Math.Abs(real) > 1e15) return (null, "not a whole number");
                whole = new BigInteger(real);
            }
            if (whole < new BigInteger(Min) || whole > new BigInteger(Max)) return (null, "out of range");
            return ((decimal)whole, null);
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return (null, "not a number");
        if (!double.IsFinite(value)) return (null, "not a finite number");
        var inRange = (MinExclusive ? value > (double)Min : value >= (double)Min) && value <= (double)Max;
        return inRange ? ((decimal)value, null) : (null, "out of range");
    }

    /// <summary>The one-line error: "--cfg must be between 1 (no guidance) and 100; got 'inf' (not a finite number)."</summary>
    public string Error(string option, string token, string problem) =>
        $"{option} must be {Description}; got '{token}'{(problem == "out of range" ? "" : $" ({problem})")}.";
}
