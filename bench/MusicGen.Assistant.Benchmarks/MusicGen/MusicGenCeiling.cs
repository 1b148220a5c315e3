using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>What the matrix products alone of one decode step cost: the practical ceiling of steps per second.</summary>
public sealed record DecodeCeiling(double MillisecondsPerStep, double MinMilliseconds, double CpuMilliseconds, double ForeignShare, long Bytes, int Products)
{
    public double StepsPerSecond => 1000 / MillisecondsPerStep;
    public double GigabytesPerSecond => Bytes / (MillisecondsPerStep / 1000) / 1e9;
}

/// <summary>
/// The "ceiling" probe: one graph that multiplies a batch-2 activation (the conditional and null rows of a guided
/// step) by every weight matrix a decode step reads — per layer the self-attention q, k, v, out, the cross-attention
/// q and out (its k and v act on the conditioning once per generation, not per step), the FFN up and down — and the
/// four LM heads, with nothing else in the graph. Each step of the real decoder streams the same bytes, so its time
/// cannot go below this on the same backend and threads.
/// </summary>
public static class MusicGenCeiling
{
    /// <param name="columns">
    /// True: the rows as the columns of one matrix {in, rows} (what <see cref="LinearWeights.Apply"/> multiplies);
    /// false: one batch slice per row, {in, 1, rows}, which ggml multiplies slice by slice.
    /// </param>
    public static DecodeCeiling Measure(MusicGenDecoderWeights weights, ComputeBackend backend, int rows, int repeat, bool columns = true)
    {
        var c = weights.Config;
        var matrices = StepMatrices(weights).ToList();
        using var ctx = new GgmlContext(matrices.Count + 8);
        long[] Shape(int width) => columns ? [width, rows] : [width, 1, rows];
        var narrow = ctx.NewInput("x_hidden", GgmlType.F32, Shape(c.HiddenSize));
        var wide = ctx.NewInput("x_ffn", GgmlType.F32, Shape(c.FfnDim));
        var g = ctx.NewGraph();
        foreach (var w in matrices)
        {
            if (w.Ne0 != c.HiddenSize && w.Ne0 != c.FfnDim) throw new InvalidOperationException($"unexpected step matrix {w.ShapeText}");
            g.Expand(ctx.MulMat(w, w.Ne0 == c.HiddenSize ? narrow : wide));
        }
        using var executor = new GraphExecutor(backend, matrices.Count + 64);
        executor.Allocate(g);
        narrow.SetData<float>(Filled(c.HiddenSize * rows));
        wide.SetData<float>(Filled(c.FfnDim * rows));

        executor.Compute(g); // warm-up: first touch of the weights and the compute buffer
        var samples = new Samples();
        var cpu = Environment.CpuUsage.TotalTime;
        var load = CpuLoad.Start();
        for (var r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            executor.Compute(g);
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / repeat;
        return new DecodeCeiling(samples.Median, samples.Min, cpuMs, load.ForeignShare(), matrices.Sum(m => m.ByteCount), matrices.Count);
    }

    /// <summary>Every matrix one decode step multiplies by, in the order the step reads them.</summary>
    public static IEnumerable<Tensor> StepMatrices(MusicGenDecoderWeights weights)
    {
        foreach (var layer in weights.Layers)
        {
            var (sa, ca) = (layer.SelfAttention, layer.CrossAttention);
            foreach (var l in new[] { sa.Query, sa.Key, sa.Value, sa.Output, ca.Query, ca.Output, layer.FeedForward.Up, layer.FeedForward.Down })
                yield return l.Weight;
        }
        foreach (var head in weights.LmHeads) yield return head;
    }

    public static void Print(DecodeCeiling ceiling, int repeat, string label = "ceiling (matmuls alone)")
    {
        Report.Line(label, $"{Report.F(ceiling.MillisecondsPerStep, 1)} ms per step (min {Report.F(ceiling.MinMilliseconds, 1)}, median of {repeat}) " +
                                               $"= {Report.F(ceiling.StepsPerSecond, 1)} steps/s; {ceiling.Products} products over {Report.MiB(ceiling.Bytes)} " +
                                               $"= {Report.F(ceiling.GigabytesPerSecond, 1)} GB/s; CPU time {Report.F(ceiling.CpuMilliseconds, 1)} ms per step; " +
                    $"other processes' CPU share {Report.F(100 * ceiling.ForeignShare, 0)}%");
    }

    private static float[] Filled(int count)
    {
        var rng = new Random(7);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
    }
}
