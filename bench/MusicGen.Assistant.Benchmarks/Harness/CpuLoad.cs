namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>
/// How busy the machine was with other processes during a measurement: (all busy CPU time - this process's CPU time)
/// / (wall time x CPUs), from /proc/stat and /proc/self/stat. ggml's worker threads spin at barriers, so a timed run
/// that shared its cores with other work can be several times slower; the report shows this next to each figure.
/// </summary>
public sealed class CpuLoad
{
    private readonly long _busy0, _total0, _self0;

    private CpuLoad(long busy, long total, long self) => (_busy0, _total0, _self0) = (busy, total, self);

    public static CpuLoad Start()
    {
        var (busy, total) = Machine();
        return new CpuLoad(busy, total, Self());
    }

    /// <summary>Share of all CPU time since <see cref="Start"/> used by other processes (0..1).</summary>
    public double ForeignShare()
    {
        var (busy, total) = Machine();
        var self = Self();
        var elapsed = total - _total0;
        if (elapsed <= 0) return 0;
        return Math.Clamp((busy - _busy0 - (self - _self0)) / (double)elapsed, 0, 1);
    }

    // jiffies over all CPUs: busy = everything but idle and iowait
    private static (long Busy, long Total) Machine()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = v.Sum();
        return (total - v[3] - v[4], total);
    }

    // utime + stime of this process, in the same jiffies (the fields after the parenthesised command name)
    private static long Self()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }
}
