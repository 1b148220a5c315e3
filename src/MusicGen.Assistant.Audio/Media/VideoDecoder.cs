namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Samples frames of a video (mp4, webm, mkv, ...) through ffmpeg as RGB24 pictures. ffmpeg's <c>fps</c> filter
/// picks the frame on screen at each sampling time; only the sampled frames are converted and kept.
/// </summary>
public static class VideoDecoder
{
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="MediaFormatException">Empty, not media, no video stream, damaged, too long or too large.</exception>
    /// <exception cref="MediaToolNotFoundException">ffmpeg is not installed.</exception>
    public static VideoFrames DecodeFrames(string path, VideoFrameSampling sampling, VideoDecodeOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        options ??= new VideoDecodeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTotalPixels);
        long maxPixels = Math.Min(options.MaxPixels, Array.MaxLength / 3);
        MediaTools tools = options.Tools ?? MediaTools.Default;
        MediaInfo info = MediaProbe.Probe(path, tools, cancellation);
        MediaStreamInfo stream = PictureStreams.Pick(info, options.StreamIndex, allowCoverPicture: false);
        PictureStreams.CheckSize(info, stream, maxPixels);
        if (stream.Width is { } w && stream.Height is { } h)
            CheckTotal(path, sampling.MaxFrames, w, h, options.MaxTotalPixels);
        TimeSpan? duration = info.DurationOf(stream);
        if (duration is { } d && d > options.MaxDuration)
            throw new MediaFormatException(path, MediaProblem.TooLong,
                $"the video is {MediaAudioReader.Describe(d)} long, over the limit of {MediaAudioReader.Describe(options.MaxDuration)} " +
                "(MaxDuration); trim the file or raise the limit");

        double rate = sampling.FramesPerSecond ?? EvenRate(info, stream, duration, sampling.Count!.Value);
        // Times count from the stream's first frame, whatever the container's start offset. Rounding input times up
        // to the output grid makes output k the last frame shown at or before k / rate: the frame on screen then.
        string filter = $"setpts=PTS-STARTPTS,fps=fps={FfmpegArguments.Number(rate)}:round=up";
        var frames = new List<RgbImage>(sampling.MaxFrames);
        bool stoppedEarly = false;
        using (var source = new FfmpegPictureSource(tools, info, stream, filter, maxFrames: null, maxPixels, cancellation))
        {
            while (true)
            {
                if (frames.Count == sampling.MaxFrames)
                {
                    stoppedEarly = source.Next() is not null; // one more frame means the video goes on; Dispose stops ffmpeg
                    break;
                }
                if (source.Next() is not { } frame)
                    break;
                CheckTotal(path, frames.Count + 1, frame.Width, frame.Height, options.MaxTotalPixels); // the decoded size rules
                frames.Add(frame);
            }
            if (frames.Count == 0)
                throw new MediaFormatException(path, MediaProblem.Damaged,
                    $"ffmpeg decoded no frame from {stream}: the file is probably truncated or corrupt", source.ErrorText);
        }
        // The last frame stays on screen to the end: sampling times past it (the declared duration can exceed the
        // last frame's time by a frame or two) show that frame.
        if (sampling.Count is { } count)
            while (frames.Count < count)
                frames.Add(frames[^1]);
        var times = new TimeSpan[frames.Count];
        for (int k = 0; k < times.Length; k++)
            times[k] = TimeSpan.FromSeconds(k / rate);
        return new VideoFrames(info, stream, frames, times, sampling.Count is null && stoppedEarly);
    }

    private static void CheckTotal(string path, int frames, int width, int height, long maxTotalPixels)
    {
        long total = (long)frames * width * height;
        if (total > maxTotalPixels)
            throw new MediaFormatException(path, MediaProblem.TooLarge,
                $"{frames} frames of {width}x{height} hold {total} pixels, over the limit of {maxTotalPixels} (MaxTotalPixels); " +
                "sample fewer frames or at a lower rate");
    }

    private static double EvenRate(MediaInfo info, MediaStreamInfo stream, TimeSpan? duration, int count)
    {
        if (duration is not { } d || d <= TimeSpan.Zero)
            throw new MediaFormatException(info.Path, MediaProblem.Unsupported,
                $"the duration of {stream} is unknown, so frames cannot be spread evenly over it; sample at a frame rate instead");
        return count / d.TotalSeconds;
    }
}
