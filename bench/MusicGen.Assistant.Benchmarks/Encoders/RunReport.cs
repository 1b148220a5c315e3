using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>Lines shared by the encoder benchmarks: a timed quantity with its runs, and the machine load beside it.</summary>
public static class RunReport
{
    public static void Wall(string label, Samples seconds)
    {
        Report.Line(label, $"{Report.F(seconds.Median, 3)} s  [runs: {string.Join(", ", seconds.Values.Select(v => Report.F(v, 3)))}]");
    }

    public static void Foreign(Samples share) =>
        Report.Line("other processes' CPU share", $"[{string.Join(", ", share.Values.Select(v => Report.F(100 * v, 0) + "%"))}] " +
                                                  "(ggml threads spin at barriers: shared cores slow runs down several-fold)");

    /// <summary>Index of the run closest to the median (its stage split is the one printed).</summary>
    public static int MedianRun(Samples s) => s.Values.Select((v, i) => (d: Math.Abs(v - s.Median), i)).MinBy(x => x.d).i;

    public static StageTimings Snapshot(StageTimings t)
    {
        var copy = new StageTimings();
        foreach (var (stage, total) in t.Totals) copy.Add(stage, total);
        return copy;
    }

    /// <summary>Achieved arithmetic rate: the model's multiply-adds ×2 over the wall time.</summary>
    public static string Rate(double flops, double seconds) => $"{Report.F(flops / 1e9, 0)} GFLOP -> {Report.F(flops / seconds / 1e9, 1)} GFLOP/s";
}
