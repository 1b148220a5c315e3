using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>The text report of <see cref="MusicGenBenchmark"/>'s timed runs.</summary>
public static class MusicGenReport
{
    private const int Edge = MusicGenDecoderSession.StepBucket;

    /// <param name="kvBytesPerKey">Self-attention cache bytes one step reads per key position (K and V, every layer and row).</param>
    public static void Print(IReadOnlyList<MusicGenRunResult> runs, double audioSeconds, DecodeCeiling? ceiling, long kvBytesPerKey)
    {
        var all = new Samples();
        foreach (var v in runs.SelectMany(r => r.StepMs)) all.Add(v);
        var perRun = runs.Select(r => Median(r.StepMs)).ToList();
        var stepsPerSecond = 1000 / all.Median;

        Report.Line("other processes' CPU share", $"[{string.Join(", ", runs.Select(r => Report.F(100 * r.ForeignShare, 0) + "%"))}] " +
                                                  "(ggml threads spin at barriers: shared cores slow runs down several-fold)");
        Report.Line("decode steps/s (median step)", $"{Report.F(stepsPerSecond, 2)} steps/s = {Report.F(all.Median, 1)} ms per step " +
                                                    $"(median of {all.Count} steps; per run: {string.Join(", ", perRun.Select(m => Report.F(1000 / m, 2)))})");
        Report.Line("decode steps/s (loop mean)", string.Join(", ", runs.Select(r => Report.F(r.StepMs.Length / (r.LoopMs / 1000), 2))) +
                                                  " (decode steps / loop wall time, per run: includes bucket switches and outliers)");
        Report.Line("CPU time per decode step", string.Join(", ", runs.Select(r => Report.F(r.LoopCpuMs / r.StepMs.Length, 1))) +
                                                " ms (process CPU time over the loop / steps, per run; with --threads 1 a load-independent measure of work)");
        if (ceiling is not null)
            Report.Line("share of the ceiling", $"{Report.F(100 * stepsPerSecond / ceiling.StepsPerSecond, 0)}% " +
                                                $"({Report.F(stepsPerSecond, 2)} of {Report.F(ceiling.StepsPerSecond, 2)} steps/s)");

        var count = runs.Min(r => r.StepMs.Length);
        if (count >= 2 * Edge)
        {
            var first = Median(runs.SelectMany(r => r.StepMs.Take(Edge)));
            var last = Median(runs.SelectMany(r => r.StepMs.Skip(r.StepMs.Length - Edge)));
            Report.Line($"step time first/last {Edge}", $"{Report.F(first, 2)} / {Report.F(last, 2)} ms (+{Report.F(last - first, 2)} ms = " +
                                                    $"+{Report.F(100 * (last - first) / first, 1)}% over {count - Edge} positions of cache)");
            // what the longer attention alone should add: the extra cache bytes read, at the ceiling's bandwidth
            var extra = (MeanKeys(count - Edge + 1, count, count + 1) - MeanKeys(1, Edge, count + 1)) * kvBytesPerKey;
            if (ceiling is not null)
                Report.Line("  attention's share of that", $"{Report.F(extra / 1e6, 0)} MB more cache read per step = " +
                                                           $"{Report.F(extra / (ceiling.GigabytesPerSecond * 1e9) * 1000, 2)} ms at the ceiling's {Report.F(ceiling.GigabytesPerSecond, 1)} GB/s");
        }
        Report.Line($"median step per {Edge} steps", string.Join(" ", Enumerable.Range(0, (count + Edge - 1) / Edge).Select(b =>
            Report.F(Median(runs.SelectMany(r => r.StepMs.Skip(b * Edge).Take(Edge))), 1))) + " ms");

        var mid = MedianRun(runs);
        var sampleUs = 1000 * mid.SampleMs / (mid.StepMs.Length + 1);
        Report.Line("time split (median run)", $"T5 {Report.F(mid.TextMs, 0)} ms, prefill {Report.F(mid.PrefillMs, 0)} ms (session start, cross K/V, first step), " +
                                               $"decode loop {Report.F(mid.LoopMs, 0)} ms (sampling {Report.F(mid.SampleMs, 0)} ms = {Report.F(sampleUs, 0)} us per step), " +
                                               $"EnCodec {Report.F(mid.AudioMs, 0)} ms; total {Report.F(mid.TotalMs / 1000, 2)} s");
        var lm = mid.PrefillMs + mid.LoopMs;
        Report.Line("decoder stages", string.Join(", ", mid.Stages.Select(s => $"{s.Stage} {Report.F(100 * s.Total.TotalMilliseconds / lm, 1)}%")) +
                                      " of prefill + loop");
        var totals = new Samples();
        foreach (var r in runs) totals.Add(r.TotalMs / 1000);
        Report.Line("real-time factor", $"{Report.F(audioSeconds / totals.Median, 3)}x end to end (T5 + LM + EnCodec; runs: " +
                                        $"{string.Join(", ", runs.Select(r => Report.F(audioSeconds / (r.TotalMs / 1000), 3) + "x"))}); " +
                                        $"LM alone {Report.F(audioSeconds / (lm / 1000), 3)}x");
        Report.Line("output", mid.Output);
    }

    // mean keys a step graph reads at positions [from, to] (step i writes position i): the whole bucket holding the
    // position, up to the cache's end (one position past the last step)
    private static double MeanKeys(int from, int to, int capacity) =>
        Enumerable.Range(from, to - from + 1).Average(p => (double)Math.Min(capacity, (p / Edge + 1) * Edge));

    private static MusicGenRunResult MedianRun(IReadOnlyList<MusicGenRunResult> runs)
    {
        var median = Median(runs.Select(r => r.TotalMs));
        return runs.MinBy(r => Math.Abs(r.TotalMs - median))!;
    }

    private static double Median(IEnumerable<double> values)
    {
        var s = new Samples();
        foreach (var v in values) s.Add(v);
        return s.Median;
    }
}
