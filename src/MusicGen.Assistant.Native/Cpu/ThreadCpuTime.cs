using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// CPU time of the calling thread (clock_gettime CLOCK_THREAD_CPUTIME_ID). A one-thread ggml graph runs on the
/// caller, so this times it without the share other processes took of the CPU meanwhile; wall time elsewhere.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    /// <summary>Milliseconds of CPU this thread has used; falls back to wall time off Linux.</summary>
    public static double Milliseconds()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var t) == 0) return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
        return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
