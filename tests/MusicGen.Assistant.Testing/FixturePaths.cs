namespace MusicGen.Assistant.Testing;

/// <summary>
/// Locates the shared reference fixtures: the MGA_FIXTURES environment variable if set, otherwise
/// "../shared/fixtures" beside the repository root (the folder holding MusicGen.Assistant.sln), found by
/// walking up from the test assembly's directory.
/// </summary>
public static class FixturePaths
{
    public const string EnvironmentVariable = "MGA_FIXTURES";

    private const string SolutionFileName = "MusicGen.Assistant.sln";

    private static readonly Lazy<string> Root = new(ResolveFixturesRoot);

    /// <summary>Absolute path of the fixtures folder (it may not exist; see <see cref="Exists"/>).</summary>
    public static string FixturesRoot => Root.Value;

    /// <summary>Whether the fixtures folder is present on this machine.</summary>
    public static bool Exists => Directory.Exists(FixturesRoot);

    /// <summary>A path inside the fixtures folder, e.g. <c>Get("musicgen-tiny", "model.safetensors")</c>.</summary>
    public static string Get(params string[] parts) => Path.Combine([FixturesRoot, .. parts]);

    /// <summary>The repository root: the nearest ancestor of the test assembly directory that holds the solution file.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException(
                $"No ancestor of '{AppContext.BaseDirectory}' contains {SolutionFileName}; set {EnvironmentVariable} to the fixtures folder.");
        }
    }

    private static string ResolveFixturesRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
    }
}
