using System.Diagnostics;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// Where every CPU thread count comes from: an explicit request (an option), else <c>MGA_THREADS</c>, else the CPUs
/// of this process's <see cref="CpuBudget"/> that other processes are not keeping busy right now (sampled over
/// <see cref="SampleInterval"/>, remembered for <see cref="SampleLifetime"/>). Requests are cut down to the budget
/// and carry a one-line warning for the caller to show (<see cref="ComputeBackend.Create"/> shows it through
/// <see cref="NativeWarnings"/>; the CLI on its own error stream).
/// </summary>
public static class CpuThreads
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(120);
    public static readonly TimeSpan SampleLifetime = TimeSpan.FromSeconds(5);

    private static readonly Lock Gate = new();
    private static (ThreadDecision Decision, long At)? _lastDefault;

    /// <param name="requested">An explicit count (e.g. <c>--threads</c>); null for the environment variable or the default.</param>
    /// <param name="source">How the request is named in reasons and warnings.</param>
    public static ThreadDecision Choose(int? requested, string source = "requested")
    {
        var budget = CpuBudget.Current;
        ThreadDecision decision;
        if (requested is { } n) decision = budget.Clamp(n, source);
        else if (Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is { } env)
        {
            if (!int.TryParse(env, out var e) || e < 1 || e > 1024)
                throw new NativeRuntimeException($"{NativeOptions.ThreadsVariable}='{env}' is not a thread count (1..1024).");
            decision = budget.Clamp(e, $"from {NativeOptions.ThreadsVariable}");
        }
        else decision = Default(budget);
        return decision;
    }

    /// <summary>The default measured now, not taken from the last few seconds' reading (for benchmarks that change the load).</summary>
    public static ThreadDecision DefaultNow()
    {
        lock (Gate) _lastDefault = null;
        return Default(CpuBudget.Current);
    }

    private static ThreadDecision Default(CpuBudget budget)
    {
        lock (Gate)
        {
            if (_lastDefault is { } last && Stopwatch.GetElapsedTime(last.At) < SampleLifetime) return last.Decision;
            // one usable CPU leaves nothing to decide
            var decision = budget.Usable == 1 ? budget.ForLoad(null) : budget.ForLoad(CpuActivity.ForeignBusyCpus(budget.AffinityCpus, SampleInterval));
            _lastDefault = (decision, Stopwatch.GetTimestamp());
            return decision;
        }
    }
}
