using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>POSIX signals to a process of ours (.NET itself only offers SIGKILL).</summary>
public static partial class Signals
{
    public const int Term = 15, Kill = 9, Stop = 19, Cont = 18;

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
