using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Benchmarks.Encodec;

/// <summary>
/// The full-size EnCodec 32 kHz with deterministic random weights (<see cref="EncodecRandomPlan"/>), written once per
/// seed and storage type into the bench cache and reused by later runs.
/// </summary>
public static class EncodecBenchModel
{
    public static string Ensure(string cacheDir, StorageType type, int seed)
    {
        var path = Path.Combine(cacheDir, $"encodec32k-random-s{seed}-{StorageTypes.Name(type)}.gguf");
        if (File.Exists(path)) return path;
        Console.WriteLine($"creating {path} (once) ...");
        var sw = Stopwatch.StartNew();
        var plan = new EncodecRandomPlan(EncodecConfig.Encodec32Khz, seed);
        var result = GgufConverter.Write(plan, path, type, "bench: random weights");
        Console.WriteLine($"  {result.TensorCount} tensors, {Report.MiB(result.Bytes)} in {Report.F(sw.Elapsed.TotalSeconds, 1)} s");
        return path;
    }

    /// <summary>Uniform random codes for <paramref name="frames"/> frames in every codebook, from a seed.</summary>
    public static int[][] RandomCodes(EncodecConfig config, long frames, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, config.NumQuantizers)
            .Select(_ => Enumerable.Range(0, checked((int)frames)).Select(_ => rng.Next(config.CodebookSize)).ToArray())
            .ToArray();
    }
}
