using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// <c>mert</c>: M2UGen's music encoding of a track with the MERT-v1-330M shape (random weights): the whole signal
/// through <see cref="MertWindowedEncoder"/> (conv feature encoder, 24 transformer layers, every hidden state summed
/// over its frames) to the [25, 1024] time means. Wall time, real-time factor, the features / transformer split, the
/// achieved arithmetic rate, peak memory and weight memory.
/// </summary>
public sealed class MertBenchmark : IBenchmark
{
    public string Name => "mert";
    public string Usage =>
        "mert [--seconds 30] [--type f32|f16|q8_0] [--threads 2] [--repeat 3] [--window 60] [--query-block 1024]\n" +
        "        [--conv-chunk 1024] [--seed 1] [--profile] [--cache DIR]\n" +
        "        (MERT-v1-330M shape with random weights, 24 kHz; --query-block / --conv-chunk set HubertEncoder's\n" +
        "         AttentionQueryBlock / ConvChunkFrames; --profile: afterwards one conv chunk and the transformer graph\n" +
        "         of the longest window with every node timed alone)";

    public int Run(BenchArguments args)
    {
        var seconds = args.Double("seconds", 30, 0.1, 3600);
        var type = StorageTypes.Parse(args.Text("type", "f32"));
        var threads = args.Int("threads", 2, 1, 256);
        var repeat = args.Int("repeat", 3, 1, 100);
        var window = args.Double("window", MertWindowedEncoder.DefaultWindowSeconds, 0.1, 3600);
        var block = args.Int("query-block", 1024, 1, 1 << 20);
        var convChunk = args.Int("conv-chunk", 1024, 1, 1 << 20);
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var profile = args.Flag("profile");
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var path = EncoderBenchModels.EnsureMert(cache, type, seed);
        GC.Collect();
        var peakResettable = ProcessMemory.ResetPeak();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        var loadWatch = Stopwatch.StartNew();
        HubertWeights weights;
        HubertPreprocessing preprocessing;
        using (var file = GgufFile.Open(path))
        {
            var (fileConfig, filePreprocessing) = HubertMetadata.Read(file.Metadata);
            preprocessing = filePreprocessing;
            weights = new HubertWeights(file, fileConfig, backend);
        }
        using var weightsOwner = weights;
        using var encoder = new HubertEncoder(weights, preprocessing) { AttentionQueryBlock = block, ConvChunkFrames = convChunk };
        var windowed = new MertWindowedEncoder(encoder, window);
        loadWatch.Stop();

        var config = encoder.Config;
        var rate = preprocessing.SamplingRate;
        var samples = (long)Math.Round(seconds * rate);
        var audio = SyntheticInputs.Audio(samples, rate, seed);
        var windows = MertWindowedEncoder.Windows(samples, windowed.WindowSamples, config.ReceptiveField);
        var frames = windows.Sum(w => config.FrameCount(w.Length));
        var audioSeconds = samples / (double)rate;
        var flops = windows.Sum(w => Flops(config, w.Length));

        Console.WriteLine($"mert: {Report.F(audioSeconds, 1)} s of {rate} Hz audio in {windows.Count} window(s) of ≤ {Report.F(window, 0)} s " +
                          $"({frames} frames, {config.FrameStride} samples per frame) -> [{config.HiddenStateCount}, {config.HiddenSize}] means; " +
                          $"weights {StorageTypes.Name(type)}, {threads} thread(s), query block {block}, conv chunk {convChunk} frames, repeat {repeat}");
        BenchEnvironment.Print(backend);
        Report.Line("model", $"{path} (loaded in {Report.F(loadWatch.Elapsed.TotalMilliseconds, 0)} ms)");
        Report.Line("shape", $"{config.NumHiddenLayers} layers x {config.HiddenSize}, {config.NumAttentionHeads} heads, FFN {config.IntermediateSize}, " +
                             $"conv {config.ConvLayers} x {config.ConvChannels} ({config.FeatExtractNorm} norm), stable layer norm {config.DoStableLayerNorm}");

        // warm-up: a short signal (JIT, first touch of the weights); the first timed run still grows the compute buffers
        windowed.Encode(audio[..(int)Math.Min(samples, 2L * rate)]);
        var loadPeak = ProcessMemory.PeakBytes;
        GC.Collect();
        ProcessMemory.ResetPeak();

        var wall = new Samples();
        var cpu = new Samples();
        var foreign = new Samples();
        var stages = new List<StageTimings>();
        MertMusicFeature? feature = null;
        for (var r = 0; r < repeat; r++)
        {
            encoder.Timings.Reset();
            var load = CpuLoad.Start();
            var cpu0 = Llama.LlamaRunProtocol.CpuSeconds();
            var sw = Stopwatch.StartNew();
            feature = windowed.Encode(audio);
            sw.Stop();
            wall.Add(sw.Elapsed.TotalSeconds);
            cpu.Add(Llama.LlamaRunProtocol.CpuSeconds() - cpu0);
            foreign.Add(load.ForeignShare());
            stages.Add(RunReport.Snapshot(encoder.Timings));
        }
        var peak = ProcessMemory.PeakBytes;

        Console.WriteLine("encode:");
        RunReport.Wall("wall (median)", wall);
        RunReport.Wall("process CPU time (median)", cpu);
        RunReport.Foreign(foreign);
        Report.Line("real-time factor (median)", $"{Report.F(audioSeconds / wall.Median)}x  (min {Report.F(audioSeconds / wall.Max)}x, max {Report.F(audioSeconds / wall.Min)}x)");
        Report.Line("arithmetic", RunReport.Rate(flops, wall.Median));
        // the split of the run closest to the median, as shares of that run's own wall time
        var index = RunReport.MedianRun(wall);
        var split = stages[index];
        double runWall = wall.Values[index], features = split["features"].TotalSeconds, transformer = split["encoder"].TotalSeconds;
        Report.Line("stages (median run)", $"conv features {Report.F(features, 2)} s ({Report.F(100 * features / runWall, 1)}%), " +
                                           $"transformer {Report.F(transformer, 2)} s ({Report.F(100 * transformer / runWall, 1)}%), " +
                                           $"other {Report.F(100 * (1 - (features + transformer) / runWall), 1)}%");
        Report.Line("per transformer layer", $"{Report.F(1000 * transformer / config.NumHiddenLayers, 0)} ms " +
                                             $"(transformer stage / {config.NumHiddenLayers}; includes projection and positional conv)");
        Report.Line("peak RSS (process)", peakResettable
            ? $"{Report.MiB(peak)} while encoding; {Report.MiB(loadPeak)} during load + warm-up"
            : $"{Report.MiB(peak)} (includes load: clear_refs not allowed)");
        Report.Line("weight memory", Report.MiB(encoder.WeightBytes));
        Report.Line("resident memory", ProcessMemory.Breakdown);
        var values = feature!.Values.ToArray();
        Report.Line("output", $"[{feature.StateCount}, {feature.HiddenSize}] means over {feature.Frames} frames in {feature.Windows} window(s), " +
                              (values.All(float.IsFinite) ? "all finite" : "NOT ALL FINITE"));

        if (profile)
            MertProfile.Print(weights, backend, (int)windows.Max(w => config.FrameCount(w.Length)), convChunk, block);
        return 0;
    }

    /// <summary>Multiply-adds ×2 of one window: conv stack, feature projection, positional conv, transformer layers.</summary>
    public static double Flops(HubertConfig c, long samples)
    {
        double total = 0;
        var length = samples;
        for (var i = 0; i < c.ConvLayers; i++)
        {
            length = (length - c.ConvKernel[i]) / c.ConvStride[i] + 1;
            var inChannels = i == 0 ? 1 : c.ConvDim[i - 1];
            total += 2.0 * length * c.ConvDim[i] * c.ConvKernel[i] * inChannels;
        }
        double t = length, h = c.HiddenSize;
        total += 2 * t * c.ConvChannels * h;
        total += 2 * t * h * c.NumConvPosEmbeddings * (h / c.NumConvPosEmbeddingGroups);
        total += c.NumHiddenLayers * (2 * t * (4 * h * h + 2 * h * c.IntermediateSize) + 4 * t * t * h);
        return total;
    }
}
