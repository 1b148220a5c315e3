using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.MusicGenLm;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Benchmarks.Training;

/// <summary>
/// <c>train-musicgen</c>: full fine-tuning steps of a random-weight musicgen-small decoder (F32, 1024 x 24 layers,
/// 4 codebooks of 2048) on random codes and text states: the delay-pattern cross-entropy, backward, clipping and
/// AdamW over all 420 M decoder weights; with --rr every step drops the text and adds the representation term.
/// </summary>
public sealed class MusicGenFineTuneBenchmark : IBenchmark
{
    public string Name => "train-musicgen";
    public string Usage => "train-musicgen [--seconds 5] [--batch 2] [--text-tokens 16] [--threads 2] [--steps 3] [--rr] [--seed 1] [--cache DIR]";

    public int Run(BenchArguments args)
    {
        var seconds = args.Double("seconds", 5, 0.1, 30);
        var batch = args.Int("batch", 2, 1, 64);
        var textTokens = args.Int("text-tokens", 16, 1, 512);
        var threads = args.Int("threads", 2, 1, 256);
        var steps = args.Int("steps", 3, 1, 100);
        var rr = args.Flag("rr");
        var seed = args.Int("seed", 1, 0, int.MaxValue);
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);

        var config = MusicGenDecoderConfig.Small;
        var path = Path.Combine(cache, $"musicgen-small-decoder-random-s{seed}-f32.gguf"); // shared with `musicgen --type f32`
        if (!File.Exists(path))
        {
            Console.WriteLine($"creating {path} (once) ...");
            GgufConverter.Write(new MusicGenDecoderRandomPlan(config, seed), path, StorageType.F32, "bench: random weights");
        }
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        using var decoder = MusicGenDecoder.Load(path, backend);
        var frames = (int)Math.Round(seconds * 50);
        Console.WriteLine($"train-musicgen: musicgen-small decoder (F32, {config.HiddenSize} x {config.NumHiddenLayers} layers), batch {batch} x {frames} frames " +
                          $"({Report.F(seconds, 1)} s at 50 Hz), {textTokens} text tokens, {(rr ? "text dropped + representation regularization" : "text kept")}, {steps} timed steps");
        BenchEnvironment.Print(backend);

        var r = new Random(seed);
        MusicGenExample Item(int i)
        {
            var codes = new int[config.NumCodebooks, frames];
            for (var k = 0; k < config.NumCodebooks; k++)
                for (var t = 0; t < frames; t++) codes[k, t] = r.Next(config.VocabSize);
            var text = Enumerable.Range(0, textTokens * config.HiddenSize).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
            var pooled = RepresentationRegularization.Pool(text, textTokens, config.HiddenSize, Pooling.Max);
            return new MusicGenExample($"bench-{i}", codes, text, textTokens, pooled, RepresentationRegularization.Pool(text, textTokens, config.HiddenSize, Pooling.Mean));
        }
        var items = Enumerable.Range(0, batch).Select(Item).ToArray();
        var task = new MusicGenFineTuneTask(decoder.Weights, rr ? 1.0 : 0.0, new RegularizationSettings(Enabled: rr));
        using var trainer = new Trainer<MusicGenExample>(task, new OptimizerSettings(LearningRate: 1e-5, MinLearningRate: 1e-6, WeightDecay: 0.1), (ulong)seed);
        TrainingBenchReport.Run(trainer, _ => [items], steps, (long)batch * frames, "frames");
        return 0;
    }
}
