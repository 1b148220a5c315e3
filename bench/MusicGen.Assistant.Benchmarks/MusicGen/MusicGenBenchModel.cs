using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Encodec;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Benchmarks.MusicGen;

/// <summary>The three GGUF files of a random-weight musicgen-small: text encoder (+ projection), decoder, codec.</summary>
public sealed record MusicGenBenchFiles(string TextEncoder, string Decoder, string Codec);

/// <summary>
/// musicgen-small's shapes with deterministic random weights: the T5-base encoder with the 768 → 1024 projection
/// (<see cref="T5RandomPlan"/>), the decoder (1024 wide, 24 layers, 16 heads, FFN 4096, 4 codebooks of 2048:
/// <see cref="MusicGenDecoderConfig.Small"/>, <see cref="MusicGenDecoderRandomPlan"/>) and the full EnCodec 32 kHz
/// (<see cref="EncodecBenchModel"/>). Written once per seed and storage type into the bench cache.
/// </summary>
public static class MusicGenBenchModel
{
    public static MusicGenDecoderConfig DecoderConfig => MusicGenDecoderConfig.Small;
    public static T5Config TextConfig => T5Config.T5Base;

    public static MusicGenBenchFiles Ensure(string cacheDir, StorageType type, int seed)
    {
        var name = StorageTypes.Name(type);
        var t5 = Write(Path.Combine(cacheDir, $"musicgen-small-t5-random-s{seed}-{name}.gguf"),
            () => new T5RandomPlan(TextConfig, seed, DecoderConfig.HiddenSize), type);
        var decoder = Write(Path.Combine(cacheDir, $"musicgen-small-decoder-random-s{seed}-{name}.gguf"),
            () => new MusicGenDecoderRandomPlan(DecoderConfig, seed), type);
        return new MusicGenBenchFiles(t5, decoder, EncodecBenchModel.Ensure(cacheDir, type, seed));
    }

    private static string Write(string path, Func<IConversionPlan> plan, StorageType type)
    {
        if (File.Exists(path)) return path;
        Console.WriteLine($"creating {path} (once) ...");
        var sw = Stopwatch.StartNew();
        var result = GgufConverter.Write(plan(), path, type, "bench: random weights"); // the file appears only when complete
        Console.WriteLine($"  {result.TensorCount} tensors, {Report.MiB(result.Bytes)} in {Report.F(sw.Elapsed.TotalSeconds, 1)} s");
        return path;
    }

    /// <summary>A fixed "prompt" of <paramref name="length"/> T5 token ids ending in the end-of-sequence id 1 (no tokenizer needed).</summary>
    public static int[] PromptIds(int length, int seed)
    {
        var rng = new Random(seed);
        var ids = new int[length];
        for (var i = 0; i < length - 1; i++) ids[i] = 3 + rng.Next(TextConfig.VocabSize - 3);
        ids[^1] = 1;
        return ids;
    }
}
