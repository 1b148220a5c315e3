namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Frames sampled from a video, each with the time (from the stream's start) it was sampled at. A frame repeated by
/// the sampling is the same <see cref="RgbImage"/> instance.
/// </summary>
public sealed class VideoFrames
{
    public VideoFrames(MediaInfo source, MediaStreamInfo stream, IReadOnlyList<RgbImage> frames, IReadOnlyList<TimeSpan> times, bool reachedMaxFrames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(times);
        if (frames.Count == 0)
            throw new ArgumentException("A frame set needs at least one frame.", nameof(frames));
        if (frames.Count != times.Count)
            throw new ArgumentException($"{frames.Count} frames but {times.Count} times.", nameof(times));
        Source = source;
        Stream = stream;
        Frames = frames;
        Times = times;
        ReachedMaxFrames = reachedMaxFrames;
    }

    public MediaInfo Source { get; }

    public MediaStreamInfo Stream { get; }

    public IReadOnlyList<RgbImage> Frames { get; }

    /// <summary>Sampling time of each frame, from the start of the stream.</summary>
    public IReadOnlyList<TimeSpan> Times { get; }

    /// <summary>True when sampling at a rate stopped at its frame limit before the end of the video.</summary>
    public bool ReachedMaxFrames { get; }

    public int Count => Frames.Count;

    public int Width => Frames[0].Width;

    public int Height => Frames[0].Height;
}
