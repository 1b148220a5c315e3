using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Benchmarks.Encoders;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Benchmarks.Assistant;

/// <summary>
/// <c>turn</c>: end-to-end latency of one assistant turn on small shapes: the m2ugen-tiny fixture converted once into
/// a whole model set (<see cref="M2UGenSetConversion"/>, projector path: LLaMA with [AUD] tokens and the adapter
/// injection, the MERT stand-in, adapters, projector, MusicGen and EnCodec of the fixtures) and a turn through every
/// stage: audio → MERT → adapter; the prompt prefilled and a reply decoded with the adapter term; [AUD0..7] at the
/// end of the reply (forced: the tiny model is untrained and would not emit them itself, and the turn should render)
/// → projector → MusicGen → EnCodec → samples. Stages are timed by wall time and by this thread's CPU time
/// (one thread computes in the calling thread, so the CPU time leaves other processes' share out).
/// </summary>
public sealed partial class TurnBenchmark : IBenchmark
{
    public string Name => "turn";

    public string Usage => "turn [--audio-seconds 3] [--reply 24] [--music-seconds 1] [--repeat 5] [--threads 1] [--cache DIR]";

    [GeneratedRegex(@"^\w+/(?<set>[\w.-]+)")]
    private static partial Regex StandIn();

    public int Run(BenchArguments args)
    {
        var audioSeconds = args.Double("audio-seconds", 3, 0.5, 120);
        var replyTokens = args.Int("reply", 24, 9, 400);
        var musicSeconds = args.Double("music-seconds", 1, 0.1, 30);
        var repeat = args.Int("repeat", 5, 1, 100);
        var threads = args.Int("threads", 1, 1, 256);
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var manifestPath = EnsureSet(cache);
        var sw = Stopwatch.StartNew();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        var manifest = ModelSetManifestFile.Read(manifestPath);
        var parts = manifest.Assistant ?? throw new InvalidOperationException($"{manifestPath} is not an assistant set");
        using var llama = M2UGenLlama.Load(parts.LlamaPath, backend);
        LlamaTokenizerTextDecoder decoderText;
        float[] audEmbeddings;
        using (var file = GgufFile.Open(parts.LlamaPath))
        {
            decoderText = new LlamaTokenizerTextDecoder(GgufTokenizer.LoadLlama(file.Metadata));
            audEmbeddings = AudTokenEmbeddings.FromLlama(file, llama.AudioTokenIds);
        }
        var tokenizer = GgufTokenizerLlama(parts.LlamaPath);
        using var mert = HubertEncoder.Load(parts.EncoderPaths[M2UGenModality.Music], backend);
        using var adapters = M2UGenAdapters.Load(parts.AdaptersPath, backend, [M2UGenModality.Music]);
        using var projector = OutputProjector.Load(parts.ProjectorPath, backend);
        using var states = EncoderStatesConditioning.Load(manifest.TextEncoderPath, backend);
        using var musicgen = MusicGenDecoder.Load(manifest.DecoderPath, backend);
        using var codec = EncodecCodec.Load(manifest.CodecPath, backend);
        var loadSeconds = sw.Elapsed.TotalSeconds;

        var rate = mert.Preprocessing.SamplingRate;
        var audio = SyntheticInputs.Audio((long)(audioSeconds * rate), rate, 3);
        var prompt = tokenizer.Encode("Compose a calm piano piece in the mood of this song.");
        const int newline = 13; // <0x0A>: byte-fallback ids start at 3 in LLaMA's SentencePiece vocabulary
        var generator = new M2UGenReplyGenerator(llama, decoderText);
        var settings = new M2UGenGenerationSettings { MaxNewTokens = replyTokens, Seed = 5 };
        var aud = llama.AudioTokenIds;
        // the reply's last 8 tokens are [AUD0..7]; before them no newline (which would end it early)
        void Force(int step, float[] logits)
        {
            var k = step - (replyTokens - aud.Count);
            if (k < 0) { logits[newline] = float.NegativeInfinity; return; }
            Array.Fill(logits, float.NegativeInfinity);
            logits[aud[k]] = 0;
        }
        var musicFrames = MusicGenGenerationRequest.FramesForDuration(musicSeconds, codec.Config.FrameRate);

        var stageNames = new[] { "MERT", "adapter", "LLaMA prefill + reply", "projector", "MusicGen", "EnCodec" };
        var wall = stageNames.ToDictionary(s => s, _ => new Samples());
        var cpu = stageNames.ToDictionary(s => s, _ => new Samples());
        var total = new Samples();
        var totalCpu = new Samples();
        string output = "";
        for (var r = 0; r <= repeat; r++)                       // round 0 warms up (JIT, first touch, buffers)
        {
            var times = new List<(string, double, double)>();
            T Stage<T>(string name, Func<T> f)
            {
                var (w, c) = (Stopwatch.StartNew(), ThreadCpuTime.Milliseconds());
                var result = f();
                times.Add((name, w.Elapsed.TotalMilliseconds, ThreadCpuTime.Milliseconds() - c));
                return result;
            }
            var feature = Stage("MERT", () => new MertWindowedEncoder(mert).Encode(audio));
            var token = Stage("adapter", () => adapters.Embed(M2UGenModality.Music, feature.Values, feature.StateCount, 1, feature.HiddenSize).Token);
            var reply = Stage("LLaMA prefill + reply", () => generator.Generate(prompt, new M2UGenAdapterInputs(Music: token), settings, onLogits: Force));
            if (reply.AudioHidden is null) throw new InvalidOperationException("the forced [AUD] tokens were not captured");
            var projected = Stage("projector", () => projector.Project(reply.AudioHidden, audEmbeddings));
            var generation = Stage("MusicGen", () => new MusicGenGenerator(musicgen).Generate(new MusicGenGenerationRequest
            {
                Conditioning = states.Condition(projected),
                MaxNewTokens = MusicGenGenerationRequest.MaxNewTokensForFrames(musicFrames, musicgen.Config),
                Seed = 5,
            }));
            var wave = Stage("EnCodec", () => MusicGenAudio.Decode(codec, generation, musicgen.Config, 0));
            output = $"reply {reply.Reply.Count} tokens ({prompt.Length}-token prompt), {generation.Frames} frames -> {wave[0].Length} samples at {codec.Config.SamplingRate} Hz, " +
                     $"all finite: {wave.All(c => c.All(float.IsFinite))}";
            if (r == 0) continue;
            foreach (var (name, w, c) in times) { wall[name].Add(w); cpu[name].Add(c); }
            total.Add(times.Sum(t => t.Item2));
            totalCpu.Add(times.Sum(t => t.Item3));
        }

        Console.WriteLine($"turn: the m2ugen-tiny set ({manifestPath}); {audioSeconds} s of audio, reply of {replyTokens} tokens ending in [AUD0..7], " +
                          $"{musicSeconds} s of music; median of {repeat} turns after one warm-up");
        BenchEnvironment.Print(backend);
        Report.Line("loading the set", $"{Report.F(loadSeconds, 2)} s");
        Report.Line("output", output);
        var rows = stageNames.Select(s => (IReadOnlyList<string>)[s, Report.F(wall[s].Median, 1), Report.F(cpu[s].Median, 1)]).ToList();
        rows.Add(["turn (sum)", Report.F(total.Median, 1), Report.F(totalCpu.Median, 1)]);
        Report.Table(["stage", "wall ms", "thread CPU ms"], rows);
        Report.Line("load average", BenchEnvironment.LoadAverage());
        return 0;
    }

    private static Text.LlamaTokenizer GgufTokenizerLlama(string path)
    {
        using var file = GgufFile.Open(path);
        return GgufTokenizer.LoadLlama(file.Metadata);
    }

    // the m2ugen-tiny fixture converted once, with the encoder, MusicGen and tokenizer fixtures its config.json names
    private static string EnsureSet(string cache)
    {
        var folder = Path.Combine(cache, "m2ugen-tiny-set");
        var manifest = Path.Combine(folder, ModelSetManifest.FileName);
        if (File.Exists(manifest)) return manifest;
        var fixtures = Path.GetDirectoryName(Path.GetDirectoryName(Llama.LlamaBenchModel.TokenizerPath()))!;
        var set = Path.Combine(fixtures, "m2ugen-tiny");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(set, "config.json")))!;
        string StandInOf(string section) =>
            Path.Combine(fixtures, StandIn().Match(config["adapters"]![section]!["encoder_stand_in"]!.GetValue<string>()).Groups["set"].Value);
        Console.WriteLine($"converting {set} into {folder} (once) ...");
        var result = M2UGenSetConversion.Convert(new M2UGenSetSources
        {
            Checkpoint = Path.Combine(set, "checkpoint.pth"),
            ConfigJson = Path.Combine(set, "config.json"),
            MusicGenFolder = Path.Combine(fixtures, "musicgen-tiny"),
            EncoderFolders = new Dictionary<M2UGenModality, string>
            {
                [M2UGenModality.Music] = StandInOf("audio"),
                [M2UGenModality.Image] = StandInOf("image"),
                [M2UGenModality.Video] = StandInOf("video"),
            },
            LlamaTokenizer = Path.GetFullPath(Path.Combine(set, config["tokenizer"]!["model_file"]!.GetValue<string>())),
            T5Tokenizer = Path.Combine(fixtures, "tokenizers", "t5-unigram.model"),
            MusicConditioning = MusicConditioningPath.Projector,
        }, folder, StorageType.F32);
        return result.ManifestPath;
    }
}
