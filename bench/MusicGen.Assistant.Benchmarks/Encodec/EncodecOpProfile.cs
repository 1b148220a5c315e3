using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encodec;

/// <summary>
/// Per-op time of a decode (ggml's scheduler runs each node alone and we time it): which ops and shapes the decoder
/// spends its time in. Each node also pays one launch on fresh ggml worker threads (and our C# kernels pay for
/// attaching those threads to .NET, ~0.3 ms), so many tiny nodes (the LSTM's) look dearer than they are; the
/// encodec-parts benchmark times whole layers without that distortion.
/// </summary>
public static class EncodecOpProfile
{
    public static void Print(EncodecCodec codec, int[][] codes, int chunk, int top = 30)
    {
        var frames = Math.Min(codes[0].Length, 2 * chunk);
        var part = codes.Select(c => c[..frames]).ToArray();
        var profiler = new OpProfiler();
        codec.Profiler = profiler;
        try { codec.Decode(part); }
        finally { codec.Profiler = null; }

        var total = profiler.Entries.Sum(e => e.Milliseconds);
        Console.WriteLine($"op profile of decoding {frames} frames ({profiler.Nodes} nodes timed one by one, {Report.F(total, 0)} ms in all, " +
                          $"{Report.F(profiler.LaunchOverheadMs, 0)} ms of it in no-op view nodes; small nodes, C# kernels above all, are " +
                          "inflated by per-node launches):");
        Report.Table(["op", "count", "ms", "share"],
            profiler.ByOp.Select(e => (IReadOnlyList<string>)[e.Op, e.Count.ToString(), Report.F(e.Milliseconds, 1), Report.F(100 * e.Milliseconds / total, 1) + "%"]));
        Console.WriteLine($"top {top} (op, result shape, first operand type):");
        Report.Table(["op", "shape", "src0", "count", "ms", "us each", "share"],
            profiler.Entries.Take(top).Select(e => (IReadOnlyList<string>)[e.Op, e.Shape, e.SourceType, e.Count.ToString(),
                Report.F(e.Milliseconds, 1), Report.F(1000 * e.Milliseconds / e.Count, 1), Report.F(100 * e.Milliseconds / total, 1) + "%"]));
    }
}
