using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>The checks every media read starts with: the file exists, is a file, is not empty; and its first bytes.</summary>
internal static class MediaFileCheck
{
    // What FileSignature calls these is certainly not audio, image or video.
    private static readonly string[] NonMediaKinds = ["text", "PDF", "a ZIP archive", "MIDI"];

    /// <summary>Returns the first <see cref="FileSignature.BytesNeeded"/> bytes (fewer for a tiny file).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="MediaFormatException">The path is a folder or the file is empty.</exception>
    public static byte[] ReadHead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new MediaFormatException(path, MediaProblem.NotMedia, "is a folder, not a media file");
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}': no such file", path);
        // a FIFO or device would block ffprobe and ffmpeg (and this read) forever
        InputFile.RequireRegular(path, "media file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        if (stream.Length == 0)
            throw new MediaFormatException(path, MediaProblem.Empty, "the file is empty (0 bytes)");
        var head = new byte[(int)Math.Min(FileSignature.BytesNeeded, stream.Length)];
        stream.ReadExactly(head);
        return head;
    }

    /// <summary>The error for a file ffprobe/ffmpeg cannot open: damaged when it looks like media, else not media.</summary>
    public static MediaFormatException Unreadable(string path, ReadOnlySpan<byte> head, string toolOutput)
    {
        string? kind = FileSignature.Identify(head);
        if (kind is null || NonMediaKinds.Any(k => kind.StartsWith(k, StringComparison.Ordinal)))
            return new MediaFormatException(path, MediaProblem.NotMedia,
                $"not a media file ffmpeg can read ({FileSignature.Describe(head)})", toolOutput);
        return new MediaFormatException(path, MediaProblem.Damaged,
            $"looks like {kind} but ffmpeg cannot read it: the file is probably truncated or corrupt", toolOutput);
    }
}
