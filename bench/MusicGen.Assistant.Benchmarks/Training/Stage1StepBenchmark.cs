using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.M2UGen;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Benchmarks.Training;

/// <summary>
/// <c>train-stage1</c>: M2UGen stage-1 steps on a LLaMA-2-7B-shaped M2UGen LLaMA (4096 x 32 layers, FFN 11008, 32000 +
/// 8 tokens) whose base weights are q4_0 (default) with F32 LoRA (rank 16, all seven projections), biases, norms,
/// adapter gates and prefix rows trained: the forward through the gated adapter layers, the answer cross-entropy,
/// the backward through the frozen quantized matrices, clipping and AdamW. Smaller shapes by --dim/--layers.
/// </summary>
public sealed class Stage1StepBenchmark : IBenchmark
{
    public string Name => "train-stage1";
    public string Usage => "train-stage1 [--type q4_0|q8_0|f16|f32] [--tokens 128] [--answer 64] [--batch 1] [--lora-rank 16] [--threads 2] [--steps 2]\n" +
                           "             [--dim 4096] [--layers 32] [--ffn 11008] [--heads 32] [--vocab 32008] [--seed 1] [--cache DIR]";

    public int Run(BenchArguments args)
    {
        var type = StorageTypes.Parse(args.Text("type", "q4_0"));
        var tokens = args.Int("tokens", 128, 2, 4096);
        var answer = args.Int("answer", 64, 1, 4095);
        var batch = args.Int("batch", 1, 1, 64);
        var rank = args.Int("lora-rank", 16, 1, 1024);
        var threads = args.Int("threads", 2, 1, 256);
        var steps = args.Int("steps", 2, 1, 100);
        var (dim, heads) = (args.Int("dim", 4096, 32, 16384), args.Int("heads", 32, 1, 256));
        if (dim % heads != 0) throw new BenchUsageException($"--heads {heads} must divide --dim {dim}");
        var config = new LlamaConfig
        {
            EmbeddingLength = dim,
            BlockCount = args.Int("layers", 32, 2, 256),
            FeedForwardLength = args.Int("ffn", 11008, 32, 65536),
            HeadCount = heads,
            HeadCountKv = heads,
            HeadDim = dim / heads,
            RopeDimensionCount = dim / heads,
            VocabSize = args.Int("vocab", 32008, 16, 1 << 20),
            ContextLength = 4096,
        };
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);
        if (answer >= tokens) throw new BenchUsageException($"--answer {answer} must be smaller than --tokens {tokens}");

        var queryLayers = Math.Max(1, Math.Min(6, config.BlockCount / 6));
        var path = Path.Combine(cache, $"m2ugen-llama-d{config.EmbeddingLength}-l{config.BlockCount}-f{config.FeedForwardLength}-v{config.VocabSize}-r{rank}-s{seed}-{StorageTypes.Name(type)}.gguf");
        if (!File.Exists(path))
        {
            Console.WriteLine($"creating {path} (once; a 7B model takes minutes) ...");
            GgufConverter.Write(new M2UGenLlamaBenchPlan(config, seed, rank, queryLayers), path, type, "bench: random weights");
        }
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        var parts = new AssistantParts { LlamaPath = path, LlamaTokenizerPath = path, AdaptersPath = "", ProjectorPath = "" };
        using var model = M2UGenTrainingModel.Load(parts, backend, [], projector: false);
        var groups = M2UGenTrainable.Lora | M2UGenTrainable.Bias | M2UGenTrainable.Norm | M2UGenTrainable.Gates | M2UGenTrainable.Prefix;
        var task = new M2UGenTrainingTask(model, groups, "stage1-bench");
        Console.WriteLine($"train-stage1: M2UGen LLaMA {config.EmbeddingLength} x {config.BlockCount} layers (FFN {config.FeedForwardLength}, vocab {config.VocabSize}), " +
                          $"base {StorageTypes.Name(type)}, LoRA rank {rank} + biases + norms + gates + prefix rows trained (F32), " +
                          $"batch {batch} x {tokens} tokens ({answer} supervised), {steps} timed steps");
        BenchEnvironment.Print(backend);
        var r = new Random(seed);
        var items = Enumerable.Range(0, batch).Select(i => new M2UGenExample($"bench-{i}",
            new PromptTokens(Enumerable.Range(0, tokens).Select(_ => 3 + r.Next(config.VocabSize - 11)).ToArray(), tokens - answer), null)).ToArray();
        using var trainer = new Trainer<M2UGenExample>(task, new OptimizerSettings(), (ulong)seed);
        TrainingBenchReport.Run(trainer, _ => [items], steps, (long)batch * tokens, "tokens");
        return 0;
    }
}
