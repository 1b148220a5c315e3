namespace MusicGen.Assistant.Native;

/// <summary>One directory that was looked at while searching for the ggml libraries, and what was found there.</summary>
public sealed record NativeProbe(string Source, string Directory, bool Usable, string Detail);

/// <summary>The libraries chosen to load.</summary>
public sealed record NativeLibrarySet(string Directory, string Source, string BaseLibrary, string GgmlLibrary, IReadOnlyList<string> BackendLibraries);

/// <summary>
/// Finds the ggml libraries: the explicit option, then <c>MGA_NATIVES</c>, then the project cache filled by
/// <c>scripts/fetch-natives.sh</c>. Accepts the node-llama-cpp layout (<c>libggml.v0.5.0.so</c>, per-CPU variants) and a
/// user's own llama.cpp / LLamaSharp-style build (<c>libggml.so</c>, <c>libggml-cpu.so</c>, <c>libggml-cuda.so</c>).
/// </summary>
public static class NativeLibraryLocator
{
    public const string PinnedPackageVersion = "3.22.1";
    public const string PinnedGgmlVersion = "0.25.1";

    private static readonly string[] GgmlNames = ["libggml.v0.5.0.so", "libggml.cuda.v0.5.0.so", "libggml.so"];

    public static (NativeLibrarySet? Found, IReadOnlyList<NativeProbe> Probes) Locate(NativeOptions options)
    {
        var probes = new List<NativeProbe>();
        foreach (var (source, dir, explicitChoice) in Candidates(options))
        {
            var set = Inspect(source, dir, out var detail);
            probes.Add(new NativeProbe(source, dir, set is not null, detail));
            if (set is not null) return (set, probes);
            // a directory the user named is their decision: do not silently fall back to another ggml
            if (explicitChoice) return (null, probes);
        }
        return (null, probes);
    }

    /// <summary>The message shown when nothing usable was found: every place looked at, and exactly what to run.</summary>
    public static string NotFoundMessage(IReadOnlyList<NativeProbe> probes)
    {
        var lines = new List<string> { "The ggml native libraries were not found. Looked in:" };
        lines.AddRange(probes.Select(p => $"  - {p.Directory} ({p.Source}): {p.Detail}"));
        if (probes.Count > 0 && probes[^1].Source != "project cache")
            lines.Add($"  ({probes[^1].Source} names that directory explicitly, so no other place was tried)");
        lines.Add("Fix: run `scripts/fetch-natives.sh cpu` in the repository (fetches the pinned " +
                  $"@node-llama-cpp/linux-x64@{PinnedPackageVersion} with npm and checks its checksum),");
        lines.Add($"  or point --natives / {NativeOptions.DirectoryVariable} at a directory holding libggml-base.so, libggml.so and libggml-cpu*.so.");
        return string.Join(Environment.NewLine, lines);
    }

    private static IEnumerable<(string Source, string Dir, bool Explicit)> Candidates(NativeOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Directory)) yield return ("--natives option", Path.GetFullPath(options.Directory), true);
        var env = Environment.GetEnvironmentVariable(NativeOptions.DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(env)) yield return ($"{NativeOptions.DirectoryVariable} variable", Path.GetFullPath(env), true);

        var packages = options.PreferCuda
            ? new[] { "linux-x64-cuda", "linux-x64" }
            : new[] { "linux-x64", "linux-x64-cuda" };
        foreach (var root in CacheRoots())
            foreach (var package in packages)
                yield return ("project cache", Path.Combine(root, "natives", package, PinnedPackageVersion), false);
    }

    /// <summary>Cache roots: <c>MGA_CACHE</c>, else the <c>.cache</c> folder of the repository this program runs from.</summary>
    public static IEnumerable<string> CacheRoots()
    {
        var env = Environment.GetEnvironmentVariable(NativeOptions.CacheVariable);
        if (!string.IsNullOrWhiteSpace(env)) { yield return Path.GetFullPath(env); yield break; }
        var repo = FindRepositoryRoot();
        if (repo is not null) yield return Path.Combine(repo, ".cache");
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "musicgen-assistant");
    }

    /// <summary>The folder holding MusicGen.Assistant.sln above the running program or the working directory.</summary>
    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MusicGen.Assistant.sln"))) return dir.FullName;
        }
        return null;
    }

    private static NativeLibrarySet? Inspect(string source, string dir, out string detail)
    {
        if (!System.IO.Directory.Exists(dir)) { detail = "directory does not exist"; return null; }
        var basePath = Path.Combine(dir, "libggml-base.so");
        if (!File.Exists(basePath)) { detail = "no libggml-base.so"; return null; }
        var ggml = GgmlNames.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);
        if (ggml is null) { detail = $"no {string.Join(" / ", GgmlNames)}"; return null; }
        var backends = System.IO.Directory.GetFiles(dir, "libggml-*.so")
            .Where(f => !f.EndsWith("libggml-base.so", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (!backends.Any(b => Path.GetFileName(b).StartsWith("libggml-cpu", StringComparison.Ordinal)))
        {
            detail = "no libggml-cpu*.so backend";
            return null;
        }
        detail = $"found {Path.GetFileName(ggml)} and {backends.Count} backend libraries";
        return new NativeLibrarySet(dir, source, basePath, ggml, backends);
    }
}
