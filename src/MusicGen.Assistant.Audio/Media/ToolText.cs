namespace MusicGen.Assistant.Audio.Media;

/// <summary>Shortens what ffmpeg printed to a few lines fit for an error message.</summary>
internal static class ToolText
{
    private const int MaxLines = 6;
    private const int MaxChars = 600;

    /// <summary>The last few non-blank lines, joined with " | ".</summary>
    public static string Quote(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = lines.Length > MaxLines ? lines[^MaxLines..] : lines;
        string joined = string.Join(" | ", tail);
        if (lines.Length > MaxLines)
            joined = "... | " + joined;
        return joined.Length > MaxChars ? "..." + joined[^MaxChars..] : joined;
    }
}
