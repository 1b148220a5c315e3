using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Encoders;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Benchmarks.Llama;
using MusicGen.Assistant.Benchmarks.MusicGen;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Assistant;

/// <summary>
/// <c>assistant-memory</c>: peak resident memory of the full M2UGen-shaped set in one process, random weights at the
/// released sizes: LLaMA-7B (<see cref="LlamaBenchModel"/>, q4_0 by default) with a KV cache for M2UGen's 1024
/// positions, MERT-330M, ViT-B/16, ViViT-B, the three adapters at 4096, the output projector (128 × 768),
/// MusicGen-small (its T5-base text path included) and EnCodec 32 kHz. Everything is loaded, then one turn's work
/// runs through every part once (audio, image and video encoded and adapted, a prompt prefilled and decoded, the
/// projector, MusicGen conditioned on it, EnCodec), so the compute buffers count too. Memory is not skewed by other
/// processes, so this figure holds on a shared machine; the times printed beside it do not.
/// </summary>
public sealed class AssistantMemoryBenchmark : IBenchmark
{
    public string Name => "assistant-memory";

    public string Usage =>
        "assistant-memory [--llama-type q4_0] [--type f16] [--audio-seconds 10] [--music-seconds 5] [--prompt 128] [--tokens 16] [--kv-type f32|f16] [--threads 1] [--seed 7] [--cache DIR]";

    public int Run(BenchArguments args)
    {
        var llamaType = StorageTypes.Parse(args.Text("llama-type", "q4_0"));
        var type = StorageTypes.Parse(args.Text("type", "f16"));
        var audioSeconds = args.Double("audio-seconds", 10, 1, 600);
        var musicSeconds = args.Double("music-seconds", 5, 0.1, 60);
        var prompt = args.Int("prompt", 128, 2, 1000);
        var tokens = args.Int("tokens", 16, 1, 512);
        var kvType = args.Text("kv-type", "f32") switch { "f16" => GgmlType.F16, "f32" => GgmlType.F32, var x => throw new BenchUsageException($"--kv-type takes f32 or f16, not '{x}'") };
        var threads = args.Int("threads", 1, 1, 256);
        var seed = args.Int("seed", 7, 0, int.MaxValue);
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var files = new
        {
            Llama = LlamaBenchModel.Ensure(cache, llamaType, seed),
            Mert = EncoderBenchModels.EnsureMert(cache, type, seed),
            Vit = EncoderBenchModels.EnsureVision(cache, VisionFamily.ViT, type, seed),
            Vivit = EncoderBenchModels.EnsureVision(cache, VisionFamily.ViViT, type, seed),
            Adapters = AssistantBenchModels.EnsureAdapters(cache, type, seed),
            Projector = AssistantBenchModels.EnsureProjector(cache, type, seed),
            MusicGen = MusicGenBenchModel.Ensure(cache, type, seed),
        };
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        Console.WriteLine($"assistant-memory: LLaMA-7B {StorageTypes.Name(llamaType)} + MERT-330M, ViT-B/16, ViViT-B, adapters, projector, MusicGen-small " +
                          $"(+T5-base), EnCodec in {StorageTypes.Name(type)}; LLaMA KV cache {kvType} for 1024 positions; one turn: {audioSeconds} s audio, " +
                          $"1 image, 1 clip, {prompt}-token prompt + {tokens} steps, projector, {musicSeconds} s of music");
        BenchEnvironment.Print(backend);
        var parts = new List<IReadOnlyList<string>>();
        var sw = Stopwatch.StartNew();
        void Loaded(string part, long bytes) =>
            parts.Add([part, Report.MiB(bytes), Report.MiB(ProcessMemory.CurrentBytes), Report.F(sw.Elapsed.TotalSeconds, 1)]);

        using var llama = LlamaModel.Load(files.Llama, backend);
        Loaded("LLaMA-7B", llama.Weights.ResidentBytes);
        using var session = llama.StartSession(1024, cacheType: kvType);
        Loaded("  its KV cache (1024 positions)", session.CacheBytes);
        using var mert = HubertEncoder.Load(files.Mert, backend);
        Loaded("MERT-330M", mert.WeightBytes);
        using var vit = VisionEncoder.Load(files.Vit, VisionFamily.ViT, backend);
        Loaded("ViT-B/16", vit.WeightBytes);
        using var vivit = VisionEncoder.Load(files.Vivit, VisionFamily.ViViT, backend);
        Loaded("ViViT-B", vivit.WeightBytes);
        using var adapters = M2UGenAdapters.Load(files.Adapters, backend);
        Loaded("adapters (3)", adapters.WeightBytes);
        using var projector = OutputProjector.Load(files.Projector, backend);
        Loaded("output projector", projector.WeightBytes);
        using var text = TextConditioning.Load(files.MusicGen.TextEncoder, backend, MusicGenBenchModel.DecoderConfig.HiddenSize);
        Loaded("T5-base + projection", text.Encoder.WeightBytes);
        using var states = EncoderStatesConditioning.Load(files.MusicGen.TextEncoder, backend, MusicGenBenchModel.DecoderConfig.HiddenSize);
        using var decoder = MusicGenDecoder.Load(files.MusicGen.Decoder, backend);
        Loaded("MusicGen-small decoder", decoder.WeightBytes);
        using var codec = EncodecCodec.Load(files.MusicGen.Codec, backend);
        Loaded("EnCodec 32 kHz", codec.MemoryBytes);
        var loadedRss = ProcessMemory.CurrentBytes;
        var loadPeak = ProcessMemory.PeakBytes;

        // one turn through every part
        var timings = new List<(string, double)>();
        T Timed<T>(string what, Func<T> f)
        {
            var t = Stopwatch.StartNew();
            var r = f();
            timings.Add((what, t.Elapsed.TotalSeconds));
            return r;
        }
        var rate = mert.Preprocessing.SamplingRate;
        var audio = SyntheticInputs.Audio((long)(audioSeconds * rate), rate, seed);
        var music = Timed("MERT", () => new MertWindowedEncoder(mert).Encode(audio));
        var image = Timed("ViT", () => vit.Encode(new ViTImageProcessor(new ViTImageProcessorSettings()).Preprocess(SyntheticInputs.Frames(1, 640, 480, seed))));
        var clip = Timed("ViViT", () => vivit.Encode(new VivitImageProcessor(new VivitImageProcessorSettings()).Preprocess(SyntheticInputs.Frames(vivit.Config.NumFrames, 640, 360, seed))));
        Timed("adapters", () => new[]
        {
            adapters.Embed(M2UGenModality.Music, music.Values, music.StateCount, 1, music.HiddenSize),
            adapters.Embed(M2UGenModality.Image, image.LastHiddenState, image.Batch, image.SequenceLength, image.HiddenSize),
            adapters.Embed(M2UGenModality.Video, clip.LastHiddenState, clip.Batch, clip.SequenceLength, clip.HiddenSize),
        });
        var ids = LlamaRunProtocol.Tokens(prompt, seed);
        var hidden = new List<float>();
        Timed("LLaMA prefill", () => session.Prefill(ids));
        Timed("LLaMA decode", () =>
        {
            for (var i = 0; i < tokens; i++)
            {
                var step = session.Step(ids[1 + i % (prompt - 1)]);
                if (i >= tokens - 8) hidden.AddRange(step.LastHidden); // the last 8 positions stand in for [AUD0..7]
            }
            return 0;
        });
        while (hidden.Count < 8 * llama.Config.EmbeddingLength) hidden.AddRange(hidden.Take(llama.Config.EmbeddingLength).ToList());
        var projected = Timed("projector", () => projector.Project(hidden.ToArray().AsSpan(0, 8 * llama.Config.EmbeddingLength), llama.Embed([3, 4, 5, 6, 7, 8, 9, 10])));
        var generation = Timed("MusicGen", () => new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = states.Condition(projected),
            MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(MusicGenGenerationRequest.FramesForDuration(musicSeconds, codec.Config.FrameRate), decoder.Config),
            Seed = (ulong)seed,
        }));
        var wave = Timed("EnCodec", () => MusicGenAudio.Decode(codec, generation, decoder.Config, 0));
        Timed("T5 (text path)", () => text.Encode(new int[1, 12], new int[1, 12]));
        var peak = ProcessMemory.PeakBytes;

        Report.Table(["part", "resident weights (or cache)", "process RSS after loading it", "s since start"], parts);
        Report.Line("RSS with everything loaded", $"{Report.MiB(loadedRss)} (peak while loading {Report.MiB(loadPeak)})");
        Report.Line("turn stages (s, not valid on a busy machine)", string.Join(", ", timings.Select(t => $"{t.Item1} {Report.F(t.Item2, 1)}")));
        Report.Line("output", $"{generation.Frames} frames -> {wave[0].Length} samples, all finite: {wave.All(c => c.All(float.IsFinite))}");
        Report.Line("PEAK RSS (VmHWM)", $"{Report.MiB(peak)} = {Report.F(peak / (1024.0 * 1024 * 1024), 2)} GiB (goal < 12 GB); {ProcessMemory.Breakdown}");
        Report.Line("load average", BenchEnvironment.LoadAverage());
        return 0;
    }
}
