using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// The understanding encoders at the sizes M2UGen runs, with deterministic random weights, written once per seed and
/// storage type into the bench cache: MERT-v1-330M (<see cref="HubertConfig.MertLargeShape"/>), ViT-B/16 at 224 px
/// (<see cref="ViTConfig.Base16_224"/>) and ViViT-B 16×2 on 32 frames (<see cref="ViViTConfig.B16x2Kinetics400"/>).
/// </summary>
public static class EncoderBenchModels
{
    /// <summary>MERT-v1-330M's feature extractor: 24 kHz mono, normalized per window, attention mask returned.</summary>
    public static HubertPreprocessing MertPreprocessing { get; } = new() { SamplingRate = 24000, DoNormalize = true, ReturnAttentionMask = true };

    public static string EnsureMert(string cacheDir, StorageType type, int seed) =>
        Write(Path.Combine(cacheDir, $"mert-v1-330m-random-s{seed}-{StorageTypes.Name(type)}.gguf"),
            () => new HubertRandomPlan(HubertConfig.MertLargeShape, seed, MertPreprocessing), type);

    public static VisionTransformerConfig Config(VisionFamily family) => family == VisionFamily.ViT
        ? ViTConfig.Base16_224.ToTransformer()
        : ViViTConfig.B16x2Kinetics400.ToTransformer();

    public static string EnsureVision(string cacheDir, VisionFamily family, StorageType type, int seed)
    {
        var name = family == VisionFamily.ViT ? "vit-b16-224" : "vivit-b16x2-32f";
        return Write(Path.Combine(cacheDir, $"{name}-random-s{seed}-{StorageTypes.Name(type)}.gguf"),
            () => new VisionRandomPlan(Config(family), seed), type);
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
}
