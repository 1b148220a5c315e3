using System.Globalization;

namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>
/// The <c>--name value</c> / <c>--flag</c> options after a subcommand. Each benchmark reads what it knows; any option
/// left unread is reported as unknown, so a typo never silently runs the default.
/// </summary>
public sealed class BenchArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArguments(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length < 3)
                throw new BenchUsageException($"unexpected argument '{a}' (options look like --name value)");
            var eq = a.IndexOf('=');
            if (eq > 0) { _values[a[2..eq]] = a[(eq + 1)..]; continue; }
            var name = a[2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[name] = hasValue ? list[++i] : null;
        }
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v)) return false;
        if (v is null) return true;
        return bool.TryParse(v, out var b) ? b : throw new BenchUsageException($"--{name} takes true or false, not '{v}'");
    }

    public string Text(string name, string fallback)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        return v ?? throw new BenchUsageException($"--{name} needs a value");
    }

    public string? OptionalText(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v ?? throw new BenchUsageException($"--{name} needs a value") : null;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Text(name, fallback.ToString(CultureInfo.InvariantCulture));
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new BenchUsageException($"--{name} must be an integer in [{min}, {max}], not '{text}'");
        return n;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = Text(name, fallback.ToString(CultureInfo.InvariantCulture));
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || x < min || x > max)
            throw new BenchUsageException($"--{name} must be a number in [{min}, {max}], not '{text}'");
        return x;
    }

    /// <summary>Throws naming every option nobody asked for.</summary>
    public void RejectUnknown(string command)
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new BenchUsageException($"unknown option(s) {string.Join(", ", unknown.Select(u => "--" + u))} for '{command}'");
    }
}

/// <summary>A bad command line: the message says what to change.</summary>
public sealed class BenchUsageException(string message) : Exception(message);
