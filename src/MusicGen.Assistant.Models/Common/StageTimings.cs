using System.Diagnostics;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Wall time a runner spent per stage (graph build, allocation, input upload, compute, readback), accumulated over
/// calls until <see cref="Reset"/>. Cheap enough to stay on in production runs; benchmarks read it for the split.
/// </summary>
public sealed class StageTimings
{
    private readonly Dictionary<string, long> _ticks = [];
    private readonly List<string> _order = [];

    /// <summary>Starts timing a stage; disposing the result adds the elapsed time to it.</summary>
    public Scope Measure(string stage) => new(this, stage, Stopwatch.GetTimestamp());

    public void Add(string stage, TimeSpan elapsed) => AddTicks(stage, (long)(elapsed.TotalSeconds * Stopwatch.Frequency));

    /// <summary>Total per stage, in the order the stages were first seen.</summary>
    public IReadOnlyList<(string Stage, TimeSpan Total)> Totals =>
        _order.Select(s => (s, TimeSpan.FromSeconds(_ticks[s] / (double)Stopwatch.Frequency))).ToList();

    public TimeSpan this[string stage] =>
        TimeSpan.FromSeconds(_ticks.GetValueOrDefault(stage) / (double)Stopwatch.Frequency);

    public void Reset()
    {
        _ticks.Clear();
        _order.Clear();
    }

    private void AddTicks(string stage, long ticks)
    {
        if (!_ticks.ContainsKey(stage)) _order.Add(stage);
        _ticks[stage] = _ticks.GetValueOrDefault(stage) + ticks;
    }

    public readonly struct Scope(StageTimings owner, string stage, long start) : IDisposable
    {
        public void Dispose() => owner.AddTicks(stage, Stopwatch.GetTimestamp() - start);
    }
}
