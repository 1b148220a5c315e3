namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Asks ffprobe what a file holds (container, streams, durations) without decoding it. Failures become
/// <see cref="MediaFormatException"/>s that say whether the file is empty, not media at all, or damaged media.
/// </summary>
public static class MediaProbe
{
    private const string EstimatedDurationWarning = "Estimating duration from bitrate";

    /// <inheritdoc cref="Probe(string, MediaTools, CancellationToken)"/>
    public static MediaInfo Probe(string path, CancellationToken cancellation = default) =>
        Probe(path, MediaTools.Default, cancellation);

    /// <summary>Describes the file's container and streams.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="MediaFormatException">Empty, not media, or damaged (the message quotes ffprobe).</exception>
    /// <exception cref="MediaToolNotFoundException">ffprobe is not installed.</exception>
    public static MediaInfo Probe(string path, MediaTools tools, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        byte[] head = MediaFileCheck.ReadHead(path);
        using var process = ToolProcess.Start(tools.FfprobePath,
        [
            "-hide_banner", "-loglevel", "warning",
            "-print_format", "json", "-show_format", "-show_streams",
            "-i", FfmpegArguments.InputUrl(path),
        ], writesInput: false, cancellation);
        string json;
        using (var reader = new StreamReader(process.Output))
            json = reader.ReadToEnd();
        int exitCode = process.WaitForExit();
        string stderr = process.ErrorText;
        if (exitCode != 0)
            throw MediaFileCheck.Unreadable(path, head, stderr);
        MediaInfo info;
        try
        {
            info = FfprobeJson.Parse(json, path, stderr.Contains(EstimatedDurationWarning, StringComparison.Ordinal));
        }
        catch (FormatException e)
        {
            throw new MediaFormatException(path, MediaProblem.NotMedia, $"ffprobe's description cannot be read ({e.Message})", stderr, e);
        }
        if (info.Streams.Count == 0)
            throw new MediaFormatException(path, MediaProblem.NotMedia,
                $"ffmpeg opens it as '{info.FormatName}' but finds no audio, image or video stream in it ({FileSignature.Describe(head)})", stderr);
        return info;
    }
}
