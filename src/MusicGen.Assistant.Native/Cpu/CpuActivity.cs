using System.Diagnostics;
using System.Globalization;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// How busy given CPUs are with other processes right now: two /proc/stat readings a short interval apart, the
/// busy share of each CPU summed over the CPUs this process may use, less this process's own CPU time meanwhile.
/// </summary>
public static class CpuActivity
{
    /// <summary>Per CPU id: (busy ticks, all ticks) since boot, from the "cpuN ..." lines of /proc/stat.</summary>
    public static IReadOnlyDictionary<int, (long Busy, long Total)> ParseStat(string procStat)
    {
        var result = new Dictionary<int, (long, long)>();
        foreach (var line in procStat.Split('\n'))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3])) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!int.TryParse(f[0].AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || f.Length < 5) continue;
            // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
            var v = new long[8];
            for (var i = 0; i < 8 && i + 1 < f.Length; i++)
                if (!long.TryParse(f[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out v[i])) v[i] = 0;
            var idle = v[3] + v[4];
            var busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; // steal counts: the hypervisor gave the CPU to someone else
            result[id] = (busy, busy + idle);
        }
        return result;
    }

    /// <summary>Busy CPUs (0..cpus.Count) among <paramref name="cpus"/> between two readings of /proc/stat.</summary>
    public static double BusyCpus(string before, string after, IEnumerable<int> cpus)
    {
        var (a, b) = (ParseStat(before), ParseStat(after));
        double busy = 0;
        foreach (var id in cpus)
        {
            if (!a.TryGetValue(id, out var x) || !b.TryGetValue(id, out var y)) continue;
            var total = y.Total - x.Total;
            if (total > 0) busy += Math.Clamp((double)(y.Busy - x.Busy) / total, 0, 1);
        }
        return busy;
    }

    /// <summary>
    /// CPUs among <paramref name="cpus"/> kept busy by other processes over <paramref name="interval"/> (this process
    /// sleeps meanwhile; whatever CPU its other threads use is subtracted). Null when /proc/stat cannot be read.
    /// </summary>
    public static double? ForeignBusyCpus(IReadOnlyCollection<int> cpus, TimeSpan interval)
    {
        try
        {
            var own = Environment.CpuUsage.TotalTime;
            var wall = Stopwatch.StartNew();
            var before = File.ReadAllText("/proc/stat");
            Thread.Sleep(interval);
            var after = File.ReadAllText("/proc/stat");
            var ownCpus = (Environment.CpuUsage.TotalTime - own).TotalSeconds / Math.Max(1e-3, wall.Elapsed.TotalSeconds);
            return Math.Max(0, BusyCpus(before, after, cpus) - ownCpus);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
