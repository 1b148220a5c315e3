using System.Globalization;
using System.Text;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// Counters of the work done, shown by /metrics in Prometheus' text format: turns by outcome, generation time,
/// decoder steps (tokens) per second and time to first sound (first decoded audio after the turn started).
/// </summary>
public sealed class ServiceMetrics
{
    private readonly Lock _gate = new();
    private long _done, _failed, _cancelled, _rejected;
    private readonly Summary _generation = new(), _firstSound = new(), _tokensPerSecond = new();

    public void Rejected() { lock (_gate) _rejected++; }

    /// <summary>Mean seconds per answered turn so far; null before the first.</summary>
    public double? AverageGenerationSeconds { get { lock (_gate) return _generation.Mean; } }

    public void Finished(string outcome, TimeSpan elapsed, TimeSpan? firstSound, double? tokensPerSecond)
    {
        lock (_gate)
        {
            switch (outcome)
            {
                case "done": _done++; _generation.Add(elapsed.TotalSeconds); break;
                case "cancelled": _cancelled++; break;
                default: _failed++; break;
            }
            if (firstSound is { } f) _firstSound.Add(f.TotalSeconds);
            if (tokensPerSecond is { } t) _tokensPerSecond.Add(t);
        }
    }

    public string Render(int queueDepth, int queueCapacity, int running)
    {
        var b = new StringBuilder();
        void Line(string name, string help, string type, params (string Labels, double Value)[] values)
        {
            b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in values)
                b.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        lock (_gate)
        {
            Line("mga_queue_depth", "Turns waiting for a worker.", "gauge", ("", queueDepth));
            Line("mga_queue_capacity", "Turns that may wait before new ones get 429.", "gauge", ("", queueCapacity));
            Line("mga_turns_running", "Turns being answered now.", "gauge", ("", running));
            Line("mga_turns_total", "Turns finished, by outcome.", "counter",
                ("{outcome=\"done\"}", _done), ("{outcome=\"failed\"}", _failed), ("{outcome=\"cancelled\"}", _cancelled), ("{outcome=\"rejected\"}", _rejected));
            _generation.Write(Line, "mga_generation_seconds", "Time to answer a turn, queue wait excluded.");
            _tokensPerSecond.Write(Line, "mga_tokens_per_second", "Decoder steps per second of the last generation stage of each turn.");
            _firstSound.Write(Line, "mga_time_to_first_sound_seconds", "From the start of a turn's work to its first decoded audio.");
        }
        return b.ToString();
    }

    private sealed class Summary
    {
        private double _sum, _last;
        private long _count;

        public double? Mean => _count == 0 ? null : _sum / _count;

        public void Add(double v) => (_sum, _count, _last) = (_sum + v, _count + 1, v);

        public void Write(Action<string, string, string, (string, double)[]> line, string name, string help)
        {
            line(name, help, "summary", [("_sum", _sum), ("_count", _count)]);
            line(name + "_last", help + " (the latest).", "gauge", [("", _last)]);
        }
    }
}
