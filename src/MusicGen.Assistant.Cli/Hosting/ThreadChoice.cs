using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>The CPU thread count used and where it came from (shown by <c>mga doctor</c>).</summary>
internal sealed record ThreadChoice(int Count, string Reason)
{
    public static ThreadChoice Resolve(int? option, TextWriter warnings)
    {
        var d = Native.Cpu.CpuThreads.Choose(option, "from --threads"); // cut to the CPUs this process may use
        if (d.Warning is { } w) warnings.WriteLine("warning: " + w);
        return new ThreadChoice(d.Count, d.Reason);
    }
}
