namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>
/// Resident memory of this process from /proc/self/status: VmRSS (now) and VmHWM (the peak). Writing 5 to
/// /proc/self/clear_refs resets the peak (Linux 4.0+), so each phase of a benchmark can report its own.
/// </summary>
public static class ProcessMemory
{
    public static long CurrentBytes => Read("VmRSS:");

    /// <summary>What the resident memory is made of now: anonymous (heaps, ggml buffers), file-backed (code, mappings), and
    /// the part of it the .NET garbage collector holds committed.</summary>
    public static string Breakdown =>
        $"now: RSS {Mib(CurrentBytes)} = anonymous {Mib(Read("RssAnon:"))} + file {Mib(Read("RssFile:"))} + shmem {Mib(Read("RssShmem:"))}; " +
        $".NET GC committed {Mib(GC.GetGCMemoryInfo().TotalCommittedBytes)}";

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";
    public static long PeakBytes => Read("VmHWM:");

    /// <summary>Resets the peak to the current RSS; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], out var kb)) return kb * 1024;
            throw new InvalidDataException($"/proc/self/status: cannot read '{line}'");
        }
        throw new InvalidDataException($"/proc/self/status has no {key} line");
    }
}
