using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>Where generated benchmark inputs (random-weight models) are kept between runs: &lt;cache&gt;/bench.</summary>
public static class BenchCache
{
    public static string Directory(string? overrideDir)
    {
        var dir = overrideDir ?? Path.Combine(NativeLibraryLocator.CacheRoots().First(), "bench");
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }
}
