using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Compute;

/// <summary>The CPU thread count used and where it came from (shown by <c>mga doctor</c> and every job summary).</summary>
public sealed record ThreadChoice(int Count, string Reason)
{
    /// <summary>
    /// The count asked for, else <c>MGA_THREADS</c>, else the CPUs other processes leave free (<see cref="CpuThreads"/>);
    /// a request beyond the CPUs this process may use is cut, with a one-line warning to <paramref name="warnings"/>.
    /// </summary>
    public static ThreadChoice Resolve(int? requested, TextWriter? warnings = null)
    {
        var d = Errors.AssistantException.Guard(() => CpuThreads.Choose(requested, "from --threads"));
        if (d.Warning is { } w) warnings?.WriteLine("warning: " + w);
        return new ThreadChoice(d.Count, d.Reason);
    }
}
