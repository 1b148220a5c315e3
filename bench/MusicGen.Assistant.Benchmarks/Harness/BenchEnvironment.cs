using System.Runtime.InteropServices;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>The facts a benchmark figure needs beside it: CPU model and count, ggml build, runtime, date.</summary>
public static class BenchEnvironment
{
    public static void Print(ComputeBackend backend)
    {
        Report.Line("machine", $"{CpuModel()}, {Environment.ProcessorCount} logical CPUs, {MemTotal()}");
        Report.Line("backend", $"{backend.Name}, {backend.Threads} thread(s)");
        Report.Line("ggml", $"{GgmlRuntime.Version} (commit {GgmlRuntime.Commit}) from {GgmlRuntime.Loaded?.Directory}");
        Report.Line("runtime", $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Report.Line("date", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"));
        Report.Line("load average", LoadAverage());
    }

    /// <summary>/proc/loadavg's 1, 5 and 15 minute averages: printed beside figures taken on a shared machine.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown CPU"; }
    }

    private static string MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            return $"{kb / (1024.0 * 1024.0):F1} GiB RAM";
        }
        catch (Exception e) when (e is IOException or FormatException) { return "RAM unknown"; }
    }
}
