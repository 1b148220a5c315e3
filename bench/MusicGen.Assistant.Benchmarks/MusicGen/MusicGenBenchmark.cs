using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>
/// <c>musicgen</c>: text-conditioned generation with classifier-free guidance (batch 2: the conditional and the null
/// row) on random-weight musicgen-small shapes: T5-base encoding, the decoder's prefill and decode loop with
/// audiocraft's sampling (top-k 250, guidance 3), EnCodec decoding of the codes. Reports decode steps per second,
/// how a step's time moves as the cache fills, the time split, end-to-end real-time factor, peak memory, and
/// optionally the matmul-only ceiling of a step on the same backend.
/// </summary>
public sealed class MusicGenBenchmark : IBenchmark
{
    public string Name => "musicgen";
    public string Usage =>
        "musicgen [--seconds 10] [--type f32|f16|q8_0] [--threads 2] [--repeat 2] [--seed 1] [--kv-type f32|f16]\n" +
        "        [--prompt-tokens 12] [--ceiling] [--ceiling-only] [--ceiling-repeat 10] [--profile] [--profile-steps 16] [--profile-after 0]\n" +
        "        [--no-audio] [--backend cpu|gpu] [--form auto|matrix|slices] [--cache DIR]\n" +
        "        (--ceiling: also time the matrix products alone of one step, the practical ceiling of steps/s;\n" +
        "         --profile: per-op time of a few decode steps after --profile-after others, each node run alone;\n" +
        "         --form: the decode steps' product form, fixed instead of measured at start)";

    public int Run(BenchArguments args)
    {
        var o = MusicGenOptions.Read(args);
        args.RejectUnknown(Name);

        var files = MusicGenBenchModel.Ensure(o.Cache, o.Type, o.Seed);
        GC.Collect();
        var peakResettable = ProcessMemory.ResetPeak();
        using var backend = ComputeBackend.Create(o.Backend, o.Threads);

        var loadWatch = Stopwatch.StartNew();
        var config = MusicGenBenchModel.DecoderConfig;
        using var text = TextConditioning.Load(files.TextEncoder, backend, config.HiddenSize);
        using var decoder = MusicGenDecoder.Load(files.Decoder, backend);
        using var codec = o.Audio ? EncodecCodec.Load(files.Codec, backend) : null;
        loadWatch.Stop();

        var codecConfig = EncodecConfig.Encodec32Khz;
        var frames = MusicGenGenerationRequest.FramesForDuration(o.Seconds, codecConfig.FrameRate);
        var maxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(frames, config);
        var audioSeconds = frames * (double)codecConfig.HopLength / codecConfig.SamplingRate;
        Console.WriteLine($"musicgen: {Report.F(audioSeconds, 1)} s of audio ({frames} frames, {maxNewTokens} steps with the delay), " +
                          $"musicgen-small shapes (T5-base, decoder {config.HiddenSize}x{config.NumHiddenLayers} layers x {config.NumAttentionHeads} heads, " +
                          $"FFN {config.FfnDim}, {config.NumCodebooks} x {config.VocabSize}), weights {StorageTypes.Name(o.Type)}, KV cache {o.KvType}, " +
                          $"CFG batch 2, top-k {SamplingSettings.AudiocraftTopK}, repeat {o.Repeat}");
        BenchEnvironment.Print(backend);
        Report.Line("model", $"{files.Decoder} (+ T5, EnCodec; loaded in {Report.F(loadWatch.Elapsed.TotalMilliseconds, 0)} ms)");

        DecodeCeiling? ceiling = null;
        if (o.Ceiling || o.CeilingOnly)
        {
            var (matrix, slices) = MusicGenCeiling.Measure(decoder.Weights, backend, rows: 2, o.CeilingRepeat);
            MusicGenCeiling.Print(matrix, o.CeilingRepeat);
            MusicGenCeiling.Print(slices, o.CeilingRepeat);
            ceiling = MusicGenCeiling.Best(matrix, slices);
            if (o.CeilingOnly) return 0;
        }
        decoder.StepFormOverride = o.Form;
        {
            var chosen = decoder.ChooseStepForm(rows: 2);
            Report.Line("step product form", $"{chosen}" + (o.Form is null ? "" : " (--form)"));
        }

        var generator = new MusicGenGenerator(decoder);
        var promptIds = MusicGenBenchModel.PromptIds(o.PromptTokens, o.Seed);
        var run = new MusicGenRun(text, generator, codec, promptIds, o.KvType, (ulong)o.Seed);

        // warm-up: two step buckets (JIT, first touch of weights and compute memory), a short codec decode
        run.Once(Math.Min(maxNewTokens, 2 * MusicGenDecoderSession.StepBucket + 8), decodeAudio: true);
        var loadPeak = ProcessMemory.PeakBytes;
        GC.Collect();
        ProcessMemory.ResetPeak();

        var results = new List<MusicGenRunResult>();
        for (var r = 0; r < o.Repeat; r++)
        {
            var load = CpuLoad.Start();
            var result = run.Once(maxNewTokens, o.Audio);
            results.Add(result with { ForeignShare = load.ForeignShare() });
        }
        var peak = ProcessMemory.PeakBytes;

        var kvElement = o.KvType == GgmlType.F16 ? 2 : 4;
        MusicGenReport.Print(results, audioSeconds, ceiling, 2L * config.NumHiddenLayers * 2 * config.HiddenSize * kvElement);
        var kvBytes = KvBytes(config, capacity: maxNewTokens, conditioningLength: promptIds.Length, rows: 2, o.KvType);
        Report.Line("peak RSS (process)", peakResettable
            ? $"{Report.MiB(peak)} while generating; {Report.MiB(loadPeak)} during load + warm-up"
            : $"{Report.MiB(peak)} (includes load: clear_refs not allowed)");
        var codecBytes = codec?.MemoryBytes ?? 0;
        Report.Line("model memory", $"decoder weights {Report.MiB(decoder.WeightBytes)} + decoder compute {Report.MiB(decoder.ComputeBytes)} + " +
                                    $"KV caches {Report.MiB(kvBytes)} + T5 weights {Report.MiB(text.Encoder.WeightBytes)} + EnCodec {Report.MiB(codecBytes)} " +
                                    $"= {Report.MiB(decoder.WeightBytes + decoder.ComputeBytes + kvBytes + text.Encoder.WeightBytes + codecBytes)}");
        Report.Line("resident memory", ProcessMemory.Breakdown);

        if (o.Profile) MusicGenOpProfile.Print(generator, run.Conditioning, o.ProfileSteps, o.ProfileAfter, (ulong)o.Seed);
        return 0;
    }

    // self-attention caches for the whole generation and the cross-attention caches of the conditioning, K and V each
    private static long KvBytes(MusicGenDecoderConfig c, int capacity, int conditioningLength, int rows, GgmlType type) =>
        2L * c.NumHiddenLayers * c.HiddenSize * rows * (capacity + conditioningLength) * (type == GgmlType.F16 ? 2 : 4);
}

/// <summary>The options of <see cref="MusicGenBenchmark"/>.</summary>
internal sealed record MusicGenOptions(
    double Seconds, StorageType Type, int Threads, int Repeat, int Seed, GgmlType KvType, int PromptTokens,
    bool Ceiling, bool CeilingOnly, int CeilingRepeat, bool Profile, int ProfileSteps, int ProfileAfter, bool Audio, BackendKind Backend, ProductForm? Form, string Cache)
{
    public static MusicGenOptions Read(BenchArguments args)
    {
        var kv = args.Text("kv-type", "f32");
        var backend = args.Text("backend", "cpu");
        var form = args.Text("form", "auto");
        return new MusicGenOptions(
            Seconds: args.Double("seconds", 10, 0.1, 40),
            Type: StorageTypes.Parse(args.Text("type", "f32")),
            Threads: args.Int("threads", 2, 1, 256),
            Repeat: args.Int("repeat", 2, 1, 100),
            Seed: args.Int("seed", 1, 0, int.MaxValue),
            KvType: kv switch
            {
                "f32" => GgmlType.F32,
                "f16" => GgmlType.F16,
                _ => throw new BenchUsageException($"--kv-type takes f32 or f16, not '{kv}'"),
            },
            PromptTokens: args.Int("prompt-tokens", 12, 2, 512),
            Ceiling: args.Flag("ceiling"),
            CeilingOnly: args.Flag("ceiling-only"),
            CeilingRepeat: args.Int("ceiling-repeat", 10, 1, 1000),
            Profile: args.Flag("profile"),
            ProfileSteps: args.Int("profile-steps", 16, 1, 1000),
            ProfileAfter: args.Int("profile-after", 0, 0, 1900),
            Audio: !args.Flag("no-audio"),
            Backend: backend switch
            {
                "cpu" => BackendKind.Cpu,
                "gpu" or "cuda" => BackendKind.Gpu,
                _ => throw new BenchUsageException($"--backend takes cpu or gpu, not '{backend}'"),
            },
            Form: form == "auto" ? null : ProductForms.Parse(form) ?? throw new BenchUsageException($"--form takes auto, matrix or slices, not '{form}'"),
            Cache: BenchCache.Directory(args.OptionalText("cache")));
    }
}
