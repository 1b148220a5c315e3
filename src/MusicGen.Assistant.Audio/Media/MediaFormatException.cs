namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// A media file that cannot be read or written as asked. The message names the file, says what is wrong and, when
/// ffmpeg was involved, quotes what it printed.
/// </summary>
public sealed class MediaFormatException : FormatException
{
    public MediaFormatException(string path, MediaProblem kind, string problem, string? toolOutput = null, Exception? inner = null)
        : base(Compose(path, problem, toolOutput), inner)
    {
        FilePath = path;
        Kind = kind;
        Problem = problem;
        ToolOutput = string.IsNullOrWhiteSpace(toolOutput) ? null : toolOutput.Trim();
    }

    /// <summary>The file the problem is in.</summary>
    public string FilePath { get; }

    public MediaProblem Kind { get; }

    /// <summary>The message without the file name and the tool output.</summary>
    public string Problem { get; }

    /// <summary>The tail of ffmpeg's / ffprobe's stderr, when they printed anything.</summary>
    public string? ToolOutput { get; }

    private static string Compose(string path, string problem, string? toolOutput) =>
        string.IsNullOrWhiteSpace(toolOutput)
            ? $"'{path}': {problem}"
            : $"'{path}': {problem} (ffmpeg said: {ToolText.Quote(toolOutput)})";
}
