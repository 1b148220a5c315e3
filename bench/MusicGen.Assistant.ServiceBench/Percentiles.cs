using System.Globalization;

namespace MusicGen.Assistant.ServiceBench;

/// <summary>Latency samples of one kind of request and their nearest-rank percentiles.</summary>
public sealed class Percentiles(string name)
{
    private readonly List<double> _ms = [];

    public string Name => name;
    public int Count { get { lock (_ms) return _ms.Count; } }

    public void Add(TimeSpan t) { lock (_ms) _ms.Add(t.TotalMilliseconds); }

    public double At(double p)
    {
        lock (_ms)
        {
            if (_ms.Count == 0) return double.NaN;
            var sorted = _ms.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {Count} | {At(50):0.0} | {At(90):0.0} | {At(99):0.0} | {At(100):0.0} |");
}
