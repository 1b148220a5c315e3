using System.Diagnostics;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>
/// Timestamps every generation step as the generator reports it (synchronously, unlike Progress&lt;T&gt;, which posts
/// to a thread pool). Step 0 ends after the session start, the prefill and the first sampling; step i &gt; 0 is one
/// decoder pass over one position plus its sampling, so the gaps between reports are the decode loop's step times.
/// </summary>
public sealed class StepClock : IProgress<GenerationProgress>
{
    private readonly List<long> _stamps = [];
    private TimeSpan _cpuAtFirst, _cpuAtLast;

    public StepClock() => Start = Stopwatch.GetTimestamp();

    /// <summary>When the clock was made (just before Generate is called).</summary>
    public long Start { get; }

    public int Steps => _stamps.Count;

    public void Report(GenerationProgress value)
    {
        if (value.Step != _stamps.Count + 1)
            throw new InvalidOperationException($"step {value.Step} reported after {_stamps.Count} steps");
        _stamps.Add(Stopwatch.GetTimestamp());
        if (value.Step == 1) _cpuAtFirst = Environment.CpuUsage.TotalTime;
        if (value.Step == value.Steps) _cpuAtLast = Environment.CpuUsage.TotalTime;
    }

    /// <summary>
    /// CPU time of this process (all threads) over the decode loop, ms: with one ggml thread it is the loop's own work,
    /// which other processes on the machine barely change (with two, it includes the threads' spinning at barriers).
    /// </summary>
    public double LoopCpuMs => (_cpuAtLast - _cpuAtFirst).TotalMilliseconds;

    /// <summary>Session start + prefill + first sampling, ms.</summary>
    public double PrefillMs => Ms(_stamps[0] - Start);

    /// <summary>From the end of step 0 to the end of the last step, ms.</summary>
    public double LoopMs => Ms(_stamps[^1] - _stamps[0]);

    /// <summary>Time of each decode step 1.. (one position fed + sampling), ms.</summary>
    public double[] StepMs() => Enumerable.Range(1, _stamps.Count - 1).Select(i => Ms(_stamps[i] - _stamps[i - 1])).ToArray();

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
