namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// One picture stream decoded by ffmpeg to RGB24 PPM frames on its stdout, after an optional filter chain
/// (e.g. frame-rate sampling). Frames are read one at a time; disposing stops ffmpeg.
/// </summary>
internal sealed class FfmpegPictureSource : IDisposable
{
    private readonly ToolProcess _process;
    private readonly PpmFrameReader _frames;
    private readonly MediaInfo _info;
    private readonly MediaStreamInfo _stream;

    public FfmpegPictureSource(MediaTools tools, MediaInfo info, MediaStreamInfo stream, string? filter, int? maxFrames,
        long maxPixels, CancellationToken cancellation)
    {
        _info = info;
        _stream = stream;
        var arguments = new List<string>(FfmpegArguments.Quiet) { "-i", FfmpegArguments.InputUrl(info.Path), "-map", $"0:{stream.Index}" };
        if (filter is not null)
            arguments.AddRange(["-vf", filter]);
        if (maxFrames is { } n)
            arguments.AddRange(["-frames:v", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        arguments.AddRange(["-pix_fmt", "rgb24", "-c:v", "ppm", "-f", "image2pipe", "pipe:1"]);
        _process = ToolProcess.Start(tools.FfmpegPath, arguments, writesInput: false, cancellation);
        _frames = new PpmFrameReader(_process.Output, info.Path, maxPixels);
    }

    /// <summary>The next frame; null once ffmpeg has finished (successfully: a failed run throws).</summary>
    public RgbImage? Next()
    {
        RgbImage? frame = _frames.Next();
        if (frame is not null)
            return frame;
        int exitCode = _process.WaitForExit();
        if (exitCode != 0)
            throw new MediaFormatException(_info.Path, MediaProblem.DecodeFailed,
                $"ffmpeg failed to decode picture stream {_stream.Index} ({_stream.Codec}; exit code {exitCode})", _process.ErrorText);
        return null;
    }

    /// <summary>What ffmpeg printed so far (warnings about damaged data, for instance).</summary>
    public string ErrorText => _process.ErrorText;

    public void Dispose() => _process.Dispose();
}
