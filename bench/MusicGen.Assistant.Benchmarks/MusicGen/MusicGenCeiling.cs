using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>What the matrix products alone of one decode step cost in one product form: the practical ceiling of steps per second.</summary>
public sealed record DecodeCeiling(ProductForm Form, double MillisecondsPerStep, double ForeignShare, long Bytes, int Products)
{
    public double StepsPerSecond => 1000 / MillisecondsPerStep;
    public double GigabytesPerSecond => Bytes / (MillisecondsPerStep / 1000) / 1e9;
}

/// <summary>
/// The "ceiling" probe: one graph with every weight matrix a decode step reads (<see cref="MusicGenDecoderWeights.StepMatrices"/>)
/// multiplied by a batch-2 activation (the conditional and null rows of a guided step) and nothing else, built in
/// both product forms (<see cref="ProductForm"/>) and timed in alternation by the same <see cref="ProductFormProbe"/>
/// the decoder uses to choose its form. Each step of the real decoder streams the same bytes, so its time cannot go
/// below the better form's on the same backend and threads.
/// </summary>
public static class MusicGenCeiling
{
    public static (DecodeCeiling Matrix, DecodeCeiling Slices) Measure(MusicGenDecoderWeights weights, ComputeBackend backend, int rows, int repeat)
    {
        var matrices = weights.StepMatrices().ToList();
        var load = CpuLoad.Start();
        var t = ProductFormProbe.Measure(backend, matrices, rows, minRounds: repeat, maxRounds: repeat, TimeSpan.Zero);
        var foreign = load.ForeignShare();
        var bytes = matrices.Sum(m => m.ByteCount);
        return (new DecodeCeiling(ProductForm.OneMatrix, t.OneMatrixMs, foreign, bytes, matrices.Count),
                new DecodeCeiling(ProductForm.RowSlices, t.RowSlicesMs, foreign, bytes, matrices.Count));
    }

    public static DecodeCeiling Best(DecodeCeiling a, DecodeCeiling b) => a.MillisecondsPerStep <= b.MillisecondsPerStep ? a : b;

    public static void Print(DecodeCeiling ceiling, int repeat)
    {
        var label = ceiling.Form == ProductForm.OneMatrix ? "ceiling: rows as one matrix" : "ceiling: rows as slices";
        Report.Line(label, $"{Report.F(ceiling.MillisecondsPerStep, 1)} ms per step (median of {repeat}, alternating forms) " +
                           $"= {Report.F(ceiling.StepsPerSecond, 1)} steps/s; {ceiling.Products} products over {Report.MiB(ceiling.Bytes)} " +
                           $"= {Report.F(ceiling.GigabytesPerSecond, 1)} GB/s; other processes' CPU share {Report.F(100 * ceiling.ForeignShare, 0)}%");
    }
}
