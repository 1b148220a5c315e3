using System.Globalization;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Range checks of config sizes, one message shape for every family. Each family declares its own upper bounds once
/// (a nested <c>Limits</c> class in its <c>XConfig</c>): far beyond every released model, and small enough that what is
/// sized by them (ggml contexts, position tables, loops over layers) cannot exhaust memory or time before the weights
/// themselves are checked. Sizes read from a file are checked against them before anything is allocated.
/// </summary>
public static class ConfigLimits
{
    /// <summary>
    /// Throws unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>; the message starts with
    /// <paramref name="subject"/> ("EnCodec config", or the file the config came from).
    /// </summary>
    public static void Range(string subject, string key, long value, long min, long max)
    {
        if (value < min)
            throw new ModelConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{subject}: {key} {value} must be {(min == 1 ? "positive" : min == 0 ? "non-negative" : $"at least {min}")}"));
        if (value > max)
            throw new ModelConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{subject}: {key} {value} exceeds {max}, the largest this implementation accepts"));
    }

    /// <summary>Throws unless <paramref name="value"/> is a finite number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Range(string subject, string key, double value, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ModelConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{subject}: {key} {value:R} is out of range {min:R}..{max:R}"));
    }

    /// <summary>A product of sizes, computed without overflow and checked against <paramref name="max"/>.</summary>
    public static long Product(string subject, string what, long max, params long[] factors)
    {
        long product = 1;
        foreach (var f in factors)
        {
            if (f < 0 || (f > 0 && product > max / f))
                throw new ModelConfigException(string.Create(CultureInfo.InvariantCulture,
                    $"{subject}: {what} ({string.Join(" x ", factors)}) exceeds {max}"));
            product *= f;
        }
        return product;
    }
}
