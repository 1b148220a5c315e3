namespace MusicGen.Assistant.Audio.Media;

/// <summary>Limits and stream choice for <see cref="VideoDecoder"/>.</summary>
public sealed record VideoDecodeOptions
{
    /// <summary>Videos declared longer than this are refused (sampling still decodes every frame up to the end).</summary>
    public TimeSpan MaxDuration { get; init; } = AudioDecodeOptions.DefaultMaxDuration;

    /// <summary>Largest frame accepted, in pixels; the default takes 8K (7680x4320).</summary>
    public long MaxPixels { get; init; } = 7680L * 4320;

    /// <summary>
    /// Largest number of pixels all returned frames may hold together (3 bytes each); the default, 256 M pixels, is
    /// 768 MB of RGB, e.g. 120 frames of 1080p.
    /// </summary>
    public long MaxTotalPixels { get; init; } = 256L << 20;

    /// <summary>The file's stream index (ffmpeg's 0:N) to decode; null: the first video stream.</summary>
    public int? StreamIndex { get; init; }

    /// <summary>Where ffmpeg is; null: <see cref="MediaTools.Default"/>.</summary>
    public MediaTools? Tools { get; init; }
}
