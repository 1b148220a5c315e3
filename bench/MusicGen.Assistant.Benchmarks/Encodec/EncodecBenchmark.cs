using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encodec;

/// <summary>
/// <c>encodec</c>: decode N seconds of random codes with the full-size random-weight EnCodec 32 kHz and encode the
/// result back; real-time factor (audio seconds / wall seconds), per-chunk time, where the time goes, peak memory.
/// </summary>
public sealed class EncodecBenchmark : IBenchmark
{
    public string Name => "encodec";
    public string Usage =>
        "encodec [--seconds 30] [--type f32|f16|q8_0] [--threads 2] [--repeat 3] [--chunk 250] [--seed 1]\n" +
        "        [--graph direct|tap-stacked|reference] [--no-encode] [--profile] [--cache DIR]\n" +
        "        (--graph: direct = what EncodecCodec.Load uses on the CPU; tap-stacked = the plain-ggml-op form other\n" +
        "         backends get; reference = GGUF layout with im2col/col2im and plain ops, the graph before optimization)";

    public int Run(BenchArguments args)
    {
        var seconds = args.Double("seconds", 30, 0.1, 3600);
        var type = StorageTypes.Parse(args.Text("type", "f32"));
        var threads = args.Int("threads", 2, 1, 256);
        var repeat = args.Int("repeat", 3, 1, 100);
        var chunk = args.Int("chunk", 250, EncodecChunking.Lookaround + 1, 100_000);
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var encode = !args.Flag("no-encode");
        var profile = args.Flag("profile");
        var graph = args.Text("graph", "direct");
        if (graph is not ("direct" or "tap-stacked" or "reference"))
            throw new BenchUsageException($"--graph takes direct, tap-stacked or reference, not '{graph}'");
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var modelPath = EncodecBenchModel.Ensure(cache, type, seed);
        GC.Collect();
        var peakResettable = ProcessMemory.ResetPeak();

        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        var loadWatch = Stopwatch.StartNew();
        var (opened, ownWeights) = Open(modelPath, backend, chunk, graph);
        using var weightsHolder = ownWeights;
        using var codec = opened;
        loadWatch.Stop();
        var config = codec.Config;
        var frames = (long)Math.Round(seconds * config.FrameRate);
        var audioSeconds = frames * config.HopLength / (double)config.SamplingRate;
        var codes = EncodecBenchModel.RandomCodes(config, frames, seed);
        var chunks = EncodecChunking.Windows(frames, chunk).Count();

        Console.WriteLine($"encodec decode/encode: {Report.F(audioSeconds, 1)} s of audio ({frames} frames, {config.NumQuantizers} codebooks), " +
                          $"weights {StorageTypes.Name(type)}, {graph} graph, {threads} thread(s), chunk {chunk} frames ({chunks} chunks), repeat {repeat}");
        BenchEnvironment.Print(backend);
        Report.Line("model", $"{modelPath} (loaded in {Report.F(loadWatch.Elapsed.TotalMilliseconds, 0)} ms)");

        // warm-up: one short decode (first-touch of weights, page faults of the compute buffer, JIT)
        var warm = codes.Select(c => c[..(int)Math.Min(frames, 2L * chunk)]).ToArray();
        var decoded = codec.Decode(warm);
        var loadPeak = ProcessMemory.PeakBytes;
        GC.Collect();
        ProcessMemory.ResetPeak();

        var decodeWall = new Samples();
        var decodeLoad = new Samples();
        var decodeStages = new List<StageTimings>();
        for (var r = 0; r < repeat; r++)
        {
            codec.Timings.Reset();
            var load = CpuLoad.Start();
            var sw = Stopwatch.StartNew();
            decoded = codec.Decode(codes);
            sw.Stop();
            decodeWall.Add(sw.Elapsed.TotalSeconds);
            decodeLoad.Add(load.ForeignShare());
            decodeStages.Add(Snapshot(codec.Timings));
        }
        var decodePeak = ProcessMemory.PeakBytes;
        var decodeCodecBytes = codec.MemoryBytes;
        PrintPhase("decode", audioSeconds, chunks, decodeWall, decodeLoad, decodeStages);
        Report.Line("peak RSS (process)", peakResettable
            ? $"{Report.MiB(decodePeak)} while decoding; {Report.MiB(loadPeak)} during load + warm-up (the GGUF mapping and the backend copy of the weights)"
            : $"{Report.MiB(decodePeak)} (includes model creation and load: clear_refs not allowed)");
        Report.Line("codec memory", $"{Report.MiB(decodeCodecBytes)} (weights {Report.MiB(codec.WeightBytes)} + compute {Report.MiB(codec.ComputeBytes)})");
        Report.Line("resident memory", ProcessMemory.Breakdown);
        var finite = decoded.All(ch => ch.All(float.IsFinite));
        Report.Line("output", $"{decoded.Length} x {decoded[0].Length} samples, peak |x| {Report.F(decoded.Max(ch => ch.Max(MathF.Abs)), 3)}, " +
                              (finite ? "all finite" : "NOT ALL FINITE"));

        if (encode)
        {
            var source = new ArraySampleSource(decoded);
            codec.Encode(new ArraySampleSource(decoded.Select(c => c[..(int)Math.Min(c.Length, 2L * chunk * config.HopLength)]).ToArray()));
            var encodeWall = new Samples();
            var encodeLoad = new Samples();
            var encodeStages = new List<StageTimings>();
            for (var r = 0; r < repeat; r++)
            {
                codec.Timings.Reset();
                var load = CpuLoad.Start();
                var sw = Stopwatch.StartNew();
                codec.Encode(source);
                sw.Stop();
                encodeWall.Add(sw.Elapsed.TotalSeconds);
                encodeLoad.Add(load.ForeignShare());
                encodeStages.Add(Snapshot(codec.Timings));
            }
            PrintPhase("encode", audioSeconds, chunks, encodeWall, encodeLoad, encodeStages);
            Report.Line("peak RSS (process)", Report.MiB(ProcessMemory.PeakBytes) + (peakResettable ? " while decoding and encoding" : ""));
            Report.Line("codec memory", Report.MiB(codec.MemoryBytes));
        }

        if (profile) EncodecOpProfile.Print(codec, codes, chunk);
        return 0;
    }

    // The codec as EncodecCodec.Load makes it, or over weights in another layout (returned too: the caller disposes them
    // after the codec).
    private static (EncodecCodec Codec, EncodecWeights? Weights) Open(string path, ComputeBackend backend, int chunk, string graph)
    {
        if (graph == "direct") return (EncodecCodec.Load(path, backend, chunk), null);
        using var file = GgufFile.Open(path);
        var weights = new EncodecWeights(file, EncodecMetadata.Read(file.Metadata), backend,
            graph == "reference" ? ConvLayout.Im2Col : ConvLayout.TapStacked);
        return (new EncodecCodec(weights, backend, chunk) { UseCpuKernels = false }, weights);
    }

    private static StageTimings Snapshot(StageTimings t)
    {
        var copy = new StageTimings();
        foreach (var (stage, total) in t.Totals) copy.Add(stage, total);
        return copy;
    }

    private static void PrintPhase(string phase, double audioSeconds, int chunks, Samples wall, Samples foreign, List<StageTimings> stages)
    {
        var median = wall.Median;
        Console.WriteLine($"{phase}:");
        Report.Line("wall (median)", $"{Report.F(median, 3)} s  [runs: {string.Join(", ", wall.Values.Select(v => Report.F(v, 3)))}]");
        Report.Line("other processes' CPU share", $"[{string.Join(", ", foreign.Values.Select(v => Report.F(100 * v, 0) + "%"))}] " +
                                                  "(ggml threads spin at barriers: shared cores slow runs down several-fold)");
        Report.Line("real-time factor (median)", $"{Report.F(audioSeconds / median)}x  (min {Report.F(audioSeconds / wall.Max)}x, max {Report.F(audioSeconds / wall.Min)}x)");
        Report.Line("per chunk", $"{Report.F(median * 1000 / chunks, 1)} ms");
        // the stage split of the run closest to the median
        var index = wall.Values.Select((v, i) => (d: Math.Abs(v - median), i)).MinBy(x => x.d).i;
        var split = stages[index].Totals;
        var sum = split.Sum(s => s.Total.TotalSeconds);
        Report.Line("stages", string.Join(", ", split.Select(s => $"{s.Stage} {Report.F(100 * s.Total.TotalSeconds / wall.Values[index], 1)}%")) +
                              $" (other {Report.F(100 * (1 - sum / wall.Values[index]), 1)}%)");
    }
}
