namespace MusicGen.Assistant.Audio.Media;

/// <summary>ffmpeg or ffprobe is not installed (or MGA_FFMPEG points nowhere); the message says how to install it.</summary>
public sealed class MediaToolNotFoundException : FileNotFoundException
{
    public MediaToolNotFoundException(string tool, string message)
        : base(message, tool)
    {
        Tool = tool;
    }

    /// <summary>"ffmpeg" or "ffprobe".</summary>
    public string Tool { get; }
}
