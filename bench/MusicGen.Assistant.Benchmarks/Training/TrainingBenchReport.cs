using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Benchmarks.Training;

/// <summary>Times optimizer steps after a warm-up step and prints seconds per step, throughput and memory.</summary>
internal static class TrainingBenchReport
{
    public static void Run<TItem>(Trainer<TItem> trainer, Func<long, IReadOnlyList<IReadOnlyList<TItem>>> batches, int steps, long tokensPerStep, string unit)
    {
        var warm = Stopwatch.StartNew();
        trainer.TrainStep(batches(0), steps + 1);                     // JIT, first touch of weights, compute memory
        warm.Stop();
        Report.Line("warm-up step", $"{Report.F(warm.Elapsed.TotalSeconds, 2)} s");
        ProcessMemory.ResetPeak();
        var times = new List<double>();
        var load = CpuLoad.Start();
        for (var s = 1; s <= steps; s++)
        {
            var r = trainer.TrainStep(batches(s), steps + 1);
            times.Add(r.Elapsed.TotalSeconds);
            Report.Line($"step {s}", $"{Report.F(r.Elapsed.TotalSeconds, 2)} s, loss {Report.F(r.Loss, 4)}, grad norm {Report.F(r.GradientNorm, 3)}");
        }
        var mean = times.Average();
        Report.Line("mean step", $"{Report.F(mean, 2)} s ({Report.F(tokensPerStep / mean, 1)} {unit}/s)");
        Report.Line("other processes' CPU share", $"{Report.F(100 * load.ForeignShare(), 0)} % during the timed steps");
        Report.Line("trained parameters", $"{trainer.State.TotalElements:N0} (F32; + gradients and AdamW m, v: {Report.MiB(16 * trainer.State.TotalElements)})");
        Report.Line("peak RSS (process)", Report.MiB(ProcessMemory.PeakBytes));
        Report.Line("load average", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a");
    }
}
