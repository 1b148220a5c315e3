namespace MusicGen.Assistant.Audio;

/// <summary>An audio file that cannot be read or written as asked; the message always names the file.</summary>
public sealed class AudioFormatException : FormatException
{
    public AudioFormatException(string path, string problem, Exception? inner = null)
        : base($"'{path}': {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file the problem is in.</summary>
    public string FilePath { get; }

    /// <summary>The message without the file name.</summary>
    public string Problem { get; }
}
