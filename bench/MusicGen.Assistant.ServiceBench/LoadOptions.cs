using System.Globalization;

namespace MusicGen.Assistant.ServiceBench;

/// <summary>
/// What one run does, bounded: at most <see cref="MaxRequests"/> requests and <see cref="MaxSeconds"/> seconds, only
/// against a loopback address (the service this tool starts itself by default).
/// </summary>
public sealed record LoadOptions
{
    public const int MaxRequests = 1000;
    public const double MaxSeconds = 300;

    /// <summary>A running service on loopback; null: start one in this process on a free port with a temporary data directory.</summary>
    public Uri? Url { get; init; }
    public int Turns { get; init; } = 8;
    public int Reads { get; init; } = 200;
    public int Concurrency { get; init; } = 4;
    public double Seconds { get; init; } = 1;
    public double TimeLimit { get; init; } = 120;

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number(double min, double max)
            {
                var name = args[i];
                var text = Next();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                    ? v : throw new ArgumentException($"{name} '{text}' is not a number from {min} to {max}");
            }
            o = args[i] switch
            {
                "--url" => o with { Url = new Uri(Next()) },
                "--turns" => o with { Turns = (int)Number(0, MaxRequests) },
                "--reads" => o with { Reads = (int)Number(0, MaxRequests) },
                "--concurrency" => o with { Concurrency = (int)Number(1, 64) },
                "--seconds" => o with { Seconds = Number(0.1, 30) },
                "--time-limit" => o with { TimeLimit = Number(1, MaxSeconds) },
                _ => throw new ArgumentException($"unknown option '{args[i]}' (--url --turns --reads --concurrency --seconds --time-limit)"),
            };
        }
        if (o.Url is { } url && !url.IsLoopback) throw new ArgumentException($"--url {url} is not a loopback address; this tool loads 127.0.0.1 / ::1 only");
        if (o.Turns + o.Reads > MaxRequests) throw new ArgumentException($"--turns + --reads is above {MaxRequests}");
        return o;
    }
}
