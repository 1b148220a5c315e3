using System.Globalization;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Which frames <see cref="VideoDecoder"/> returns. Both modes take "the frame on screen at time t" for a grid of
/// times from the start of the stream, so they work for any frame rate (frames are repeated when the grid is finer
/// than the video, skipped when it is coarser).
/// </summary>
public sealed record VideoFrameSampling
{
    private VideoFrameSampling(int? count, double? framesPerSecond, int maxFrames)
    {
        Count = count;
        FramesPerSecond = framesPerSecond;
        MaxFrames = maxFrames;
    }

    /// <summary>Set for <see cref="Evenly"/>: exactly this many frames, at t = k·duration/count.</summary>
    public int? Count { get; }

    /// <summary>Set for <see cref="AtRate"/>: frames at t = k / rate.</summary>
    public double? FramesPerSecond { get; }

    /// <summary>The most frames returned.</summary>
    public int MaxFrames { get; }

    /// <summary><paramref name="count"/> frames spread evenly over the stream's duration (ViViT takes 32).</summary>
    public static VideoFrameSampling Evenly(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new VideoFrameSampling(count, null, count);
    }

    /// <summary>Frames at a fixed rate from the start, at most <paramref name="maxFrames"/> of them.</summary>
    public static VideoFrameSampling AtRate(double framesPerSecond, int maxFrames = 1000)
    {
        if (!(framesPerSecond > 0 && framesPerSecond <= 1000))
            throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, "The sampling rate must be in (0, 1000] frames per second.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        return new VideoFrameSampling(null, framesPerSecond, maxFrames);
    }

    public override string ToString() => Count is { } n
        ? $"{n} frames evenly spread"
        : $"{FramesPerSecond!.Value.ToString("0.###", CultureInfo.InvariantCulture)} frames per second (at most {MaxFrames})";
}
