using System.Diagnostics;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// Keeps a defaulted CPU backend's active thread count fitted to the machine while it runs: at most every
/// <see cref="Interval"/>, between graphs, it reads how busy the usable CPUs were with other processes since the
/// last look (/proc/stat less this process's own CPU time, no waiting) and sets the count <see cref="CpuBudget.ForLoad"/>
/// gives. A competitor that starts in the middle of a long generation then costs one thread, not a collapse of
/// every barrier; when it leaves, the thread comes back.
/// </summary>
internal sealed class CpuThreadGovernor(ComputeBackend backend, CpuBudget budget)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private long _at = Stopwatch.GetTimestamp();
    private string? _stat = ReadStat();
    private TimeSpan _own = Environment.CpuUsage.TotalTime;

    public void BeforeGraph()
    {
        var wall = Stopwatch.GetElapsedTime(_at);
        if (wall < Interval) return;
        var stat = ReadStat();
        var own = Environment.CpuUsage.TotalTime;
        if (stat is not null && _stat is not null)
        {
            var foreign = Math.Max(0, CpuActivity.BusyCpus(_stat, stat, budget.AffinityCpus) - (own - _own).TotalSeconds / wall.TotalSeconds);
            backend.SetActiveThreads(budget.ForLoad(foreign).Count);
        }
        (_at, _stat, _own) = (Stopwatch.GetTimestamp(), stat, own);
    }

    private static string? ReadStat()
    {
        try { return File.ReadAllText("/proc/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
