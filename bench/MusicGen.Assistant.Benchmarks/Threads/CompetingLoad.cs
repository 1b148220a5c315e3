using System.Diagnostics;

namespace MusicGen.Assistant.Benchmarks.Threads;

/// <summary>
/// Other processes keeping CPUs busy while a benchmark runs: each a shell spinning in a loop, optionally pinned to
/// one CPU with taskset (CPU i for the i-th). Stopped (killed by process id) on dispose.
/// </summary>
public sealed class CompetingLoad : IDisposable
{
    private readonly List<Process> _spinners = [];

    public CompetingLoad(int processes, bool pinned)
    {
        for (var i = 0; i < processes; i++)
        {
            var start = pinned ? new ProcessStartInfo("taskset", ["-c", $"{i}", "sh", "-c", "while :; do :; done"])
                               : new ProcessStartInfo("sh", ["-c", "while :; do :; done"]);
            _spinners.Add(Process.Start(start) ?? throw new InvalidOperationException("could not start a spinning process"));
        }
        if (processes > 0) Thread.Sleep(300); // let them reach their loops before anything is sampled
        Description = processes == 0 ? "no competing load" : $"{processes} spinning process{(processes == 1 ? "" : "es")}{(pinned ? " pinned to CPU 0.." + (processes - 1) : ", not pinned")}";
    }

    public string Description { get; }

    public void Dispose()
    {
        foreach (var p in _spinners)
        {
            try { p.Kill(); p.WaitForExit(5000); }
            catch (InvalidOperationException) { } // already gone
            p.Dispose();
        }
    }
}
