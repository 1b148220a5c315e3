namespace MusicGen.Assistant.Formats.Codes;

/// <summary>An audio codes file is malformed, truncated or holds an impossible code; the message names the file.</summary>
public sealed class AudioCodesFormatException : FormatException
{
    public AudioCodesFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"codes file '{filePath}': {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>The message without the file name.</summary>
    public string Problem { get; }
}
