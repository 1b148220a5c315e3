using System.Globalization;
using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// The CPUs this process may use: the CPUs of its affinity mask, limited by its cgroup's CPU quota (whole CPUs,
/// at least one). ggml's CPU workers spin at every barrier, so a thread that has no CPU of its own stalls all the
/// others: a thread count above <see cref="Usable"/> is always cut down to it, and the default also leaves out the
/// CPUs other processes are keeping busy at the time.
/// </summary>
public sealed partial record CpuBudget(IReadOnlyList<int> AffinityCpus, double? QuotaCpus)
{
    private static readonly Lazy<CpuBudget> Process = new(ReadCurrent);

    /// <summary>This process's budget, read once.</summary>
    public static CpuBudget Current => Process.Value;

    /// <summary>Whole CPUs this process may keep busy, at least 1.</summary>
    public int Usable
    {
        get
        {
            var n = Math.Max(1, AffinityCpus.Count);
            // a fractional quota's remainder is left unused: a throttled period would stop a worker mid-barrier
            if (QuotaCpus is { } q) n = Math.Min(n, Math.Max(1, (int)Math.Floor(q + 1e-9)));
            return n;
        }
    }

    /// <summary>"2 CPUs (affinity 0-1, no cgroup quota)".</summary>
    public string Describe() =>
        $"{Usable} CPU{(Usable == 1 ? "" : "s")} (affinity {ListText(AffinityCpus)}, " +
        (QuotaCpus is { } q ? $"cgroup quota {q.ToString("0.##", CultureInfo.InvariantCulture)} CPUs)" : "no cgroup quota)");

    /// <summary>A requested count, cut down to <see cref="Usable"/> with a warning when it asks for more.</summary>
    public ThreadDecision Clamp(int requested, string source)
    {
        if (requested < 1) throw new ArgumentOutOfRangeException(nameof(requested), requested, "thread count must be at least 1");
        if (requested <= Usable) return new ThreadDecision(requested, source);
        return new ThreadDecision(Usable, $"{source}, cut to the {Describe()} this process may use",
            $"{requested} CPU threads asked for ({source}), but this process may use {Describe()}: using {Usable}. " +
            "ggml's workers spin, and more threads than CPUs slow everything down many times.");
    }

    /// <summary>
    /// The default: every usable CPU that other processes are not keeping busy (<paramref name="foreignBusyCpus"/>,
    /// null when unknown), at least 1. A CPU counts as taken once more than a quarter of it is busy.
    /// </summary>
    public ThreadDecision ForLoad(double? foreignBusyCpus)
    {
        if (foreignBusyCpus is not { } busy)
            return new ThreadDecision(Usable, $"every CPU this process may use: {Describe()}");
        var taken = Math.Max(0, (int)Math.Ceiling(busy - TakenThreshold));
        var n = Math.Clamp(Usable - taken, 1, Usable);
        var load = busy.ToString("0.0", CultureInfo.InvariantCulture);
        return new ThreadDecision(n, n == Usable
            ? $"every CPU this process may use: {Describe()}; {load} busy with other processes"
            : $"{Describe()} usable, {load} busy with other processes: {n} left");
    }

    /// <summary>Busy share of a CPU (summed over CPUs) below which it still counts as free.</summary>
    public const double TakenThreshold = 0.25;

    private static string ListText(IReadOnlyList<int> ids)
    {
        var parts = new List<string>();
        for (var i = 0; i < ids.Count;)
        {
            var j = i;
            while (j + 1 < ids.Count && ids[j + 1] == ids[j] + 1) j++;
            parts.Add(j == i ? $"{ids[i]}" : $"{ids[i]}-{ids[j]}");
            i = j + 1;
        }
        return parts.Count == 0 ? "none" : string.Join(',', parts);
    }

    private static CpuBudget ReadCurrent()
    {
        var affinity = ReadAffinity();
        double? quota = null;
        try { quota = CgroupCpuQuota.Read(ReadFile); }
        catch (FormatException) { } // an unreadable limit is no limit; affinity still holds
        return new CpuBudget(affinity, quota);
    }

    private static string? ReadFile(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>sched_getaffinity of this process; falls back to every processor .NET sees.</summary>
    private static unsafe IReadOnlyList<int> ReadAffinity()
    {
        if (OperatingSystem.IsLinux())
        {
            for (var bytes = 128; bytes <= 1 << 16; bytes *= 4)
            {
                var mask = new byte[bytes];
                int r;
                fixed (byte* p = mask) r = sched_getaffinity(0, (nuint)bytes, p);
                if (r >= 0) return CpuList.FromMask(mask);
                if (Marshal.GetLastPInvokeError() != 22) break; // EINVAL: the mask is too small for the kernel's CPU count
            }
        }
        return Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).ToList();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sched_getaffinity(int pid, nuint size, byte* mask);
}
