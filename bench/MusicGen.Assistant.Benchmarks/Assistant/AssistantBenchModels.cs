using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Benchmarks.Assistant;

/// <summary>
/// The M2UGen parts no other benchmark writes, at the released model's sizes with random weights, once per seed and
/// type into the bench cache: the three understanding adapters (music 25 × 1024, image 197 × 768, video 3137 × 768,
/// each projected to 4096 with three SwiGLU blocks of 4096: ~155 M parameters each) and the output projector
/// (<see cref="ProjectorConfig.MusicGen"/>: 8 × 4096 in, 128 × 768 out), through the random plans the embedded
/// assistant set uses (<see cref="AdapterRandomPlan"/>, <see cref="ProjectorRandomPlan"/>).
/// </summary>
public static class AssistantBenchModels
{
    public static AdapterConfig Adapters { get; } = new([
        new ModalityAdapterConfig { Modality = M2UGenModality.Music, Channels = 25, InWidth = 1024, Dim = 4096, HiddenDim = 4096 },
        new ModalityAdapterConfig { Modality = M2UGenModality.Image, Channels = 197, InWidth = 768, Dim = 4096, HiddenDim = 4096 },
        new ModalityAdapterConfig { Modality = M2UGenModality.Video, Channels = 3137, InWidth = 768, Dim = 4096, HiddenDim = 4096 },
    ]);

    public static string EnsureAdapters(string cacheDir, StorageType type, int seed) =>
        Write(Path.Combine(cacheDir, $"m2ugen-adapters-random-s{seed}-{StorageTypes.Name(type)}.gguf"),
            () => new AdapterRandomPlan(Adapters, seed), type);

    public static string EnsureProjector(string cacheDir, StorageType type, int seed) =>
        Write(Path.Combine(cacheDir, $"m2ugen-projector-random-s{seed}-{StorageTypes.Name(type)}.gguf"),
            () => new ProjectorRandomPlan(ProjectorConfig.MusicGen, seed), type);

    private static string Write(string path, Func<IConversionPlan> plan, StorageType type)
    {
        if (File.Exists(path)) return path;
        Console.WriteLine($"creating {path} (once) ...");
        var sw = Stopwatch.StartNew();
        var result = GgufConverter.Write(plan(), path, type, "bench: random weights");
        Console.WriteLine($"  {result.TensorCount} tensors, {Report.MiB(result.Bytes)} in {Report.F(sw.Elapsed.TotalSeconds, 1)} s");
        return path;
    }
}
