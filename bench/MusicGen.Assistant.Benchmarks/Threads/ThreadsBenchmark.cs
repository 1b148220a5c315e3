using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Benchmarks.Threads;

/// <summary>
/// <c>threads</c>: the default thread count against fixed counts beside a competing load. The work is a decode-step
/// shaped graph (per layer four width² and two width·4width products on a batch-2 activation, chained, so every
/// product ends at a barrier), computed again and again. For each load (none, spinning processes pinned or not) the
/// thread counts are run in turn, round after round, and the median time per graph is reported: what ggml's spinning
/// workers cost when a thread has no free CPU, and whether the default avoids it.
/// </summary>
public sealed class ThreadsBenchmark : IBenchmark
{
    public string Name => "threads";
    public string Usage =>
        "threads [--loads 0,1,1p] [--counts default,adaptive,1,2] [--width 1024] [--layers 6] [--rounds 7] [--graphs 20] [--max-seconds 20]\n" +
        "        (loads: N spinning processes, Np = pinned to CPUs 0..N-1; counts: 'default' = CpuThreads' choice made\n" +
        "         with the load running, fixed; 'adaptive' = a backend created without a count, whose governor follows\n" +
        "         the load between graphs; each count is capped at the CPUs this process may use)";

    public int Run(BenchArguments args)
    {
        var loads = args.Text("loads", "0,1,1p").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var counts = args.Text("counts", "default,adaptive,1,2").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var width = args.Int("width", 1024, 64, 8192);
        var layers = args.Int("layers", 6, 1, 64);
        var rounds = args.Int("rounds", 7, 1, 1000);
        var graphs = args.Int("graphs", 20, 1, 100000);
        var maxSeconds = args.Double("max-seconds", 20, 1, 3600);
        args.RejectUnknown(Name);

        Console.WriteLine($"threads: {layers} layers of a batch-2 decode step at width {width} ({graphs} graphs per timing, {rounds} rounds); " +
                          $"this process may use {CpuBudget.Current.Describe()}");
        using (var probe = ComputeBackend.Create(BackendKind.Cpu, 1)) BenchEnvironment.Print(probe);

        foreach (var loadText in loads)
        {
            var pinned = loadText.EndsWith('p');
            if (!int.TryParse(pinned ? loadText[..^1] : loadText, out var processes) || processes is < 0 or > 64)
                throw new BenchUsageException($"--loads takes counts like 0,1,1p, not '{loadText}'");
            using var load = new CompetingLoad(processes, pinned);
            var chosen = counts.Select(c => c switch
            {
                "default" or "adaptive" => CpuThreads.DefaultNow(),
                _ => int.TryParse(c, out var n) && n >= 1 ? CpuThreads.Choose(n, $"fixed {c}") : throw new BenchUsageException($"--counts takes default, adaptive or numbers, not '{c}'"),
            }).ToList();
            Console.WriteLine($"{load.Description} (load average {BenchEnvironment.LoadAverage()}):");
            for (var i = 0; i < counts.Length; i++)
                Report.Line($"{counts[i]} ->", counts[i] == "adaptive" ? $"starts at {chosen[i].Count}, governed between graphs" : $"{chosen[i].Count} thread(s): {chosen[i].Reason}");

            var runs = chosen.Select((d, i) => new StepGraph(counts[i] == "adaptive" ? null : d.Count, width, layers)).ToList();
            try
            {
                var samples = runs.Select(_ => new Samples()).ToList();
                var budget = Stopwatch.StartNew();
                foreach (var r in runs) r.Compute(1); // warm-up
                for (var round = 0; round < rounds && budget.Elapsed.TotalSeconds < maxSeconds; round++)
                    for (var i = 0; i < runs.Count; i++)
                        samples[i].Add(runs[i].Compute(graphs) / graphs);
                var best = samples.Min(s => s.Median);
                Report.Table(["count", "threads (active at end)", "ms per graph (median)", "min", "max", "vs best", "rounds"],
                    counts.Select((c, i) => (IReadOnlyList<string>)[c, $"{runs[i].ActiveThreads}", Report.F(samples[i].Median, 2),
                        Report.F(samples[i].Min, 2), Report.F(samples[i].Max, 2), Report.F(samples[i].Median / best, 2) + "x", $"{samples[i].Count}"]));
            }
            finally
            {
                foreach (var r in runs) r.Dispose();
            }
        }
        return 0;
    }
}
