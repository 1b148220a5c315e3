using System.CommandLine;
using System.CommandLine.Parsing;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>What every number option of <c>mga</c> exposes: its accepted range (the tests probe every such option).</summary>
internal interface INumberOption
{
    NumberRange Range { get; }
}

/// <summary>
/// The one path every number option is parsed by: invariant culture, finite, in range, whole where a count is meant.
/// Anything else (text, "", "inf", "nan", "1e400", a fraction for a count, a huge or negative value) becomes one parse
/// error line naming the option, the value and the accepted range: a usage error before any work, never an exception.
/// </summary>
internal sealed class NumberOption<T> : Option<T>, INumberOption
{
    // double, int, ulong or their nullable forms
    private static readonly Type ValueKind = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);

    public NumberOption(string name, NumberRange range, params string[] aliases) : base(name, aliases)
    {
        Range = range;
        CustomParser = Parse;
    }

    public NumberRange Range { get; }

    private T? Parse(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var (value, problem) = Range.Check(token);
        if (value is { } v) return (T)Convert.ChangeType(v, ValueKind, System.Globalization.CultureInfo.InvariantCulture);
        result.AddError(Range.Error(Name, token, problem!));
        return default;
    }
}

/// <summary>Ranges shared by several commands' number options.</summary>
internal static class NumberOptions
{
    /// <summary>Seconds in (0, 1 hour], the length of everything generated.</summary>
    public static NumberRange Seconds { get; } = new(0, (decimal)Generation.GenerationLimits.MaxSeconds,
        $"a positive number of seconds up to {Generation.GenerationLimits.MaxSeconds:0} (1 hour)", MinExclusive: true);
}
