using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>
/// Per-op time of decode steps (ggml's scheduler runs each node alone and we time it): which ops and shapes a step
/// spends its time in. Every node also pays one launch of the worker threads, so the hundreds of small nodes of a
/// step look dearer than they are; compare the per-node launch cost (the view nodes' time) with the totals.
/// </summary>
public static class MusicGenOpProfile
{
    /// <summary>Profiles <paramref name="steps"/> decode steps after <paramref name="after"/> unprofiled ones (a fuller cache).</summary>
    public static void Print(MusicGenGenerator generator, MusicGenConditioning conditioning, int steps, int after, ulong seed, int top = 30)
    {
        var decoder = generator.Decoder;
        var request = new MusicGenGenerationRequest
        {
            Conditioning = conditioning,
            MaxNewTokens = after + steps + 1,
            Seed = seed,
        };
        var profiler = new OpProfiler();
        // the session start, the prefill and the first steps run unprofiled
        var clock = new ProfileSwitch(decoder, profiler, after + 1);
        generator.Generate(request, clock);
        decoder.Profiler = null;

        var total = profiler.Entries.Sum(e => e.Milliseconds);
        var timed = steps;
        Console.WriteLine($"op profile of {timed} decode steps at positions {after + 2}..{after + steps + 1} ({profiler.Nodes / Math.Max(1, timed)} nodes per step timed one by one, " +
                          $"{Report.F(total / timed, 1)} ms per step in all, {Report.F(profiler.LaunchOverheadMs / timed, 1)} ms of it in no-op view nodes):");
        Report.Table(["op", "per step", "ms/step", "share"],
            profiler.ByOp.Select(e => (IReadOnlyList<string>)[e.Op, Report.F(e.Count / (double)timed, 0), Report.F(e.Milliseconds / timed, 2),
                Report.F(100 * e.Milliseconds / total, 1) + "%"]));
        Console.WriteLine($"top {top} (op, result shape, first operand type):");
        Report.Table(["op", "shape", "src0", "per step", "ms/step", "us each", "share"],
            profiler.Entries.Take(top).Select(e => (IReadOnlyList<string>)[e.Op, e.Shape, e.SourceType, Report.F(e.Count / (double)timed, 0),
                Report.F(e.Milliseconds / timed, 2), Report.F(1000 * e.Milliseconds / e.Count, 1), Report.F(100 * e.Milliseconds / total, 1) + "%"]));
    }

    private sealed class ProfileSwitch(MusicGenDecoder decoder, OpProfiler profiler, int from) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value)
        {
            if (value.Step == from) decoder.Profiler = profiler;
        }
    }
}
