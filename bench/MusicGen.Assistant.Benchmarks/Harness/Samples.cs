namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>Repeated measurements of one quantity; the median is what gets reported (other processes share the machine).</summary>
public sealed class Samples
{
    private readonly List<double> _values = [];

    public void Add(double value) => _values.Add(value);
    public int Count => _values.Count;
    public IReadOnlyList<double> Values => _values;

    public double Median
    {
        get
        {
            if (_values.Count == 0) throw new InvalidOperationException("no samples");
            var sorted = _values.Order().ToList();
            var mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double Min => _values.Min();
    public double Max => _values.Max();
}
