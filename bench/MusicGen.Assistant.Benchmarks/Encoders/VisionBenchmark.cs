using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// <c>vit</c> / <c>vivit</c>: M2UGen's image and video understanding encoders at their real shapes (ViT-B/16 224 px;
/// ViViT-B 16×2 on 32 frames) with random weights: decoded RGB frames through the image processor (resize, crop,
/// rescale, normalize) and the encoder to last_hidden_state, per batch size. Processor and encoder times, items per
/// second, the achieved arithmetic rate, peak memory and weight memory.
/// </summary>
public sealed class VisionBenchmark(VisionFamily family) : IBenchmark
{
    private bool IsVideo => family == VisionFamily.ViViT;

    public string Name => IsVideo ? "vivit" : "vit";
    public string Usage => IsVideo
        ? "vivit [--batch 1] [--type f32|f16|q8_0] [--threads 2] [--repeat 3] [--source 640x360] [--seed 1] [--profile] [--cache DIR]\n" +
          "        (ViViT-B 16x2 with random weights: clips of 32 decoded frames of --source size through VivitImageProcessor\n" +
          "         (shortest edge 256, centre crop 224) and the encoder -> [3137, 768]; --batch: clips per call, a list runs each)"
        : "vit [--batch 1,8] [--type f32|f16|q8_0] [--threads 2] [--repeat 3] [--source 640x480] [--seed 1] [--profile] [--cache DIR]\n" +
          "        (ViT-B/16 224 px with random weights: decoded images of --source size through ViTImageProcessor (resize to\n" +
          "         224x224) and the encoder -> [197, 768]; --batch: images per call, a list runs each; --profile: the first batch size)";

    public int Run(BenchArguments args)
    {
        var batchText = args.Text("batch", IsVideo ? "1" : "1,8");
        var type = StorageTypes.Parse(args.Text("type", "f32"));
        var threads = args.Int("threads", 2, 1, 256);
        var repeat = args.Int("repeat", 3, 1, 100);
        var (sourceWidth, sourceHeight) = SyntheticInputs.ParseSize(args.Text("source", IsVideo ? "640x360" : "640x480"), "source");
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var profile = args.Flag("profile");
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);
        var batches = batchText.Split(',').Select(b => int.TryParse(b, out var n) && n is >= 1 and <= 1024 ? n
            : throw new BenchUsageException($"--batch takes a list of sizes in [1, 1024] like 1,8, not '{batchText}'")).ToArray();

        var path = EncoderBenchModels.EnsureVision(cache, family, type, seed);
        GC.Collect();
        var peakResettable = ProcessMemory.ResetPeak();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        var loadWatch = Stopwatch.StartNew();
        VisionTransformerWeights weights;
        using (var file = GgufFile.Open(path))
            weights = new VisionTransformerWeights(file, VisionMetadata.Read(file.Metadata, family), backend);
        using var weightsOwner = weights;
        using var encoder = new VisionEncoder(weights, backend);
        loadWatch.Stop();
        var c = encoder.Config;
        var frameCount = IsVideo ? c.NumFrames : 1;

        Console.WriteLine($"{Name}: {c.Name} ({c.NumHiddenLayers} layers x {c.HiddenSize}, {c.NumAttentionHeads} heads, FFN {c.IntermediateSize}, " +
                          $"{c.SequenceLength} tokens per {(IsVideo ? $"{c.NumFrames}-frame clip" : "image")}), {sourceWidth}x{sourceHeight} RGB input, " +
                          $"weights {StorageTypes.Name(type)}, {threads} thread(s), batch {string.Join(",", batches)}, repeat {repeat}");
        BenchEnvironment.Print(backend);
        Report.Line("model", $"{path} (loaded in {Report.F(loadWatch.Elapsed.TotalMilliseconds, 0)} ms)");
        Report.Line("weight memory", Report.MiB(encoder.WeightBytes));
        Report.Line("items per graph", $"{encoder.ItemsPerGraph} (attention scores {Report.MiB((long)c.SequenceLength * c.SequenceLength * c.NumAttentionHeads * sizeof(float))} per item, f32)");
        var processImages = new ViTImageProcessor(new ViTImageProcessorSettings());
        var processClips = new VivitImageProcessor(new VivitImageProcessorSettings());
        PixelValues Process(ImageFrame[] frames, int batch) => IsVideo
            ? processClips.Preprocess(Enumerable.Range(0, batch).Select(b => (IReadOnlyList<ImageFrame>)frames[(b * frameCount)..((b + 1) * frameCount)]).ToList())
            : processImages.Preprocess(frames);

        var rows = new List<IReadOnlyList<string>>();
        foreach (var batch in batches)
        {
            var frames = SyntheticInputs.Frames(batch * frameCount, sourceWidth, sourceHeight, seed);
            encoder.Encode(Process(frames, batch));                              // warm-up: JIT, first touch, compute buffers
            GC.Collect();
            ProcessMemory.ResetPeak();
            Samples processor = new(), encode = new(), encodeCpu = new(), foreign = new();
            VisionEncoderOutput? output = null;
            for (var r = 0; r < repeat; r++)
            {
                var load = CpuLoad.Start();
                var sw = Stopwatch.StartNew();
                var pixels = Process(frames, batch);
                processor.Add(sw.Elapsed.TotalSeconds);
                sw.Restart();
                var cpu0 = Llama.LlamaRunProtocol.CpuSeconds();
                output = encoder.Encode(pixels);
                encode.Add(sw.Elapsed.TotalSeconds);
                encodeCpu.Add(Llama.LlamaRunProtocol.CpuSeconds() - cpu0);
                foreign.Add(load.ForeignShare());
            }
            var peak = ProcessMemory.PeakBytes;
            var total = processor.Median + encode.Median;
            Console.WriteLine($"batch {batch}:");
            RunReport.Wall("image processor (median)", processor);
            RunReport.Wall("encoder (median)", encode);
            RunReport.Wall("encoder process CPU time (median)", encodeCpu);
            RunReport.Foreign(foreign);
            Report.Line("per item", $"{Report.F(1000 * total / batch, 1)} ms (processor {Report.F(1000 * processor.Median / batch, 1)} + encoder {Report.F(1000 * encode.Median / batch, 1)}) " +
                                    $"-> {Report.F(batch / total, 2)} {(IsVideo ? "clips" : "images")}/s");
            Report.Line("arithmetic (encoder)", RunReport.Rate(batch * Flops(c), encode.Median));
            Report.Line("peak RSS (process)", peakResettable ? $"{Report.MiB(peak)} while processing and encoding" : $"{Report.MiB(peak)} (includes load)");
            Report.Line("output", $"last_hidden_state [{output!.Batch}, {output.SequenceLength}, {output.HiddenSize}], " +
                                  (output.LastHiddenState.All(float.IsFinite) ? "all finite" : "NOT ALL FINITE"));
            rows.Add([batch.ToString(), Report.F(1000 * processor.Median, 0), Report.F(1000 * encode.Median, 0), Report.F(1000 * total / batch, 1),
                      Report.F(batch / total, 2), Report.MiB(peak), string.Join("/", foreign.Values.Select(v => Report.F(100 * v, 0)))]);
        }
        Console.WriteLine("summary (medians):");
        Report.Table(["batch", "processor ms", "encoder ms", "ms per item", "items/s", "peak RSS", "foreign CPU %"], rows);
        Report.Line("resident memory", ProcessMemory.Breakdown);

        if (profile) VisionProfile.Print(weights, backend, Math.Min(batches[0], encoder.ItemsPerGraph));
        return 0;
    }

    /// <summary>Multiply-adds ×2 of one item: patch embedding, the blocks' products and attention, the pooler.</summary>
    public static double Flops(VisionTransformerConfig c)
    {
        double s = c.SequenceLength, d = c.HiddenSize;
        var blocks = c.NumHiddenLayers * (2 * s * (4 * d * d + 2 * d * c.IntermediateSize) + 4 * s * s * d);
        return 2.0 * c.NumPatches * c.PatchVectorLength * d + blocks + 2 * d * d;
    }
}
