using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The demo's codec: a full-size EnCodec 32 kHz with deterministic random weights (seed 1234) whose output layer is
/// scaled so its audio peaks well below full scale (<see cref="QuietEncodecPlan"/>), written once to the project cache.
/// UNTRAINED: it shows the pipeline and its speed, not audio quality.
/// </summary>
public static class DemoCodec
{
    public const int Seed = 1234;

    public static string PathInCache() =>
        Path.Combine(NativeLibraryLocator.CacheRoots().First(), "models", $"encodec_32khz-random-seed{Seed}-quiet-f32.gguf");

    /// <summary>The cached model, created first when missing (stage "create model"); returns its path and how long creating it took (null: cached).</summary>
    public static DemoBuild Ensure(IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            lock (Gate) return EnsureLocked(progress, cancellation);
        });

    // jobs running at once in one process (the tests, a service) must not write the same .partial file at once
    private static readonly Lock Gate = new();

    private static DemoBuild EnsureLocked(IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var path = PathInCache();
        if (File.Exists(path)) return new DemoBuild(path, null);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var plan = new QuietEncodecPlan(EncodecConfig.Encodec32Khz, Seed);
        ProgressStage.Run(progress, "create model", "tensors", cancellation,
            stage => GgufConverter.Write(plan, path, StorageType.F32, "demo: untrained random-weight EnCodec 32 kHz", stage));
        return new DemoBuild(path, clock.Elapsed);
    }
}

/// <summary>A demo file or set in the cache: where it is and, when this call built it, how long that took.</summary>
public sealed record DemoBuild(string Path, TimeSpan? Created);
