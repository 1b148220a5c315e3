using System.Diagnostics;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Demo;

/// <summary>
/// The demo's model: a full-size EnCodec 32 kHz with deterministic random weights (seed 1234), written once to the
/// project cache. UNTRAINED: it shows the pipeline and its speed, not audio quality.
/// </summary>
internal static class DemoModel
{
    public const int Seed = 1234;

    public static string PathInCache() =>
        Path.Combine(NativeLibraryLocator.CacheRoots().First(), "models", $"encodec_32khz-random-seed{Seed}-f32.gguf");

    /// <summary>The cached model, created first when missing; returns its path and how long creating it took (null: cached).</summary>
    public static (string Path, TimeSpan? Created) Ensure(CliSession session)
    {
        lock (Gate) return EnsureLocked(session);
    }

    // commands run concurrently in one process (the tests) must not write the same .partial file at once
    private static readonly Lock Gate = new();

    private static (string Path, TimeSpan? Created) EnsureLocked(CliSession session)
    {
        var path = PathInCache();
        if (File.Exists(path)) return (path, null);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        session.Console.Field("model", $"creating the demo model once: {path}");
        var clock = Stopwatch.StartNew();
        var plan = new EncodecRandomPlan(EncodecConfig.Encodec32Khz, Seed);
        ConsoleProgress.Run(session, "create model", "tensors",
            progress => GgufConverter.Write(plan, path, StorageType.F32, "demo: untrained random-weight EnCodec 32 kHz", progress));
        return (path, clock.Elapsed);
    }
}
