namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Where ffmpeg and ffprobe live. <see cref="OverrideVariable"/> (MGA_FFMPEG) names the ffmpeg executable or a folder
/// holding both tools; otherwise both are looked up on PATH. ffprobe is always taken from ffmpeg's folder when the
/// override is set, so the two come from the same build.
/// </summary>
public sealed class MediaTools
{
    /// <summary>Environment variable naming the ffmpeg executable (or its folder).</summary>
    public const string OverrideVariable = "MGA_FFMPEG";

    /// <summary>How to get the tools, for error messages.</summary>
    public const string InstallHint =
        "install it with `sudo apt-get install ffmpeg` (Debian/Ubuntu; scripts/setup.sh does this), " +
        "or set MGA_FFMPEG to the ffmpeg executable";

    private static MediaTools? _default;

    public MediaTools(string ffmpegPath, string ffprobePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(ffmpegPath);
        ArgumentException.ThrowIfNullOrEmpty(ffprobePath);
        FfmpegPath = ffmpegPath;
        FfprobePath = ffprobePath;
    }

    public string FfmpegPath { get; }

    public string FfprobePath { get; }

    /// <summary>The tools found from this process's environment; found once, then cached (a failure is not cached).</summary>
    /// <exception cref="MediaToolNotFoundException">A tool is missing; the message says how to install it.</exception>
    public static MediaTools Default => _default ??= Locate();

    /// <summary>Looks the tools up from MGA_FFMPEG and PATH now.</summary>
    public static MediaTools Locate() =>
        Locate(Environment.GetEnvironmentVariable(OverrideVariable), Environment.GetEnvironmentVariable("PATH"));

    /// <summary>Looks the tools up from the given override (may be null) and search path.</summary>
    public static MediaTools Locate(string? overridePath, string? searchPath)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
            return FromOverride(overridePath.Trim());
        string ffmpeg = FindOnPath("ffmpeg", searchPath) ?? throw Missing("ffmpeg",
            "ffmpeg was not found on PATH; it is needed to read and write media other than WAV");
        string ffprobe = FindOnPath("ffprobe", searchPath) ?? throw Missing("ffprobe",
            $"ffprobe was not found on PATH (ffmpeg is at '{ffmpeg}'); it comes with the ffmpeg package");
        return new MediaTools(ffmpeg, ffprobe);
    }

    public override string ToString() => $"ffmpeg '{FfmpegPath}', ffprobe '{FfprobePath}'";

    private static MediaTools FromOverride(string value)
    {
        string ffmpeg = Directory.Exists(value) ? Path.Combine(value, ExecutableName("ffmpeg")) : value;
        if (!IsExecutableFile(ffmpeg))
            throw Missing("ffmpeg", Directory.Exists(value)
                ? $"{OverrideVariable} is '{value}', a folder without an ffmpeg executable in it"
                : $"{OverrideVariable} is '{value}', which is not an executable file");
        string folder = Path.GetDirectoryName(Path.GetFullPath(ffmpeg))!;
        string ffprobe = Path.Combine(folder, ExecutableName("ffprobe"));
        if (!IsExecutableFile(ffprobe))
            throw Missing("ffprobe", $"{OverrideVariable} points at '{ffmpeg}', but there is no ffprobe executable beside it in '{folder}'");
        return new MediaTools(Path.GetFullPath(ffmpeg), ffprobe);
    }

    private static string? FindOnPath(string tool, string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
            return null;
        string name = ExecutableName(tool);
        foreach (string folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder.Trim('"'), name);
            if (IsExecutableFile(candidate))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static string ExecutableName(string tool) => OperatingSystem.IsWindows() ? tool + ".exe" : tool;

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
            return false;
        if (OperatingSystem.IsWindows())
            return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private static MediaToolNotFoundException Missing(string tool, string problem) =>
        new(tool, $"{problem}: {InstallHint}.");
}
