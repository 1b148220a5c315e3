namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Decodes a picture (png, jpeg, webp, bmp, gif, ... or the first frame of a video, or an audio file's cover picture)
/// through ffmpeg to 8-bit RGB: grayscale is spread to three channels, alpha is dropped.
/// </summary>
public static class ImageDecoder
{
    /// <summary>About 100 megapixels (a 10000x10000 image, 300 MB of RGB).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="MediaFormatException">Empty, not media, no picture in it, damaged, or too many pixels.</exception>
    /// <exception cref="MediaToolNotFoundException">ffmpeg is not installed.</exception>
    public static RgbImage Decode(string path, long maxPixels = DefaultMaxPixels, MediaTools? tools = null,
        CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        maxPixels = Math.Min(maxPixels, Array.MaxLength / 3);
        tools ??= MediaTools.Default;
        MediaInfo info = MediaProbe.Probe(path, tools, cancellation);
        MediaStreamInfo stream = PictureStreams.Pick(info, index: null, allowCoverPicture: true);
        PictureStreams.CheckSize(info, stream, maxPixels);
        using var source = new FfmpegPictureSource(tools, info, stream, filter: null, maxFrames: 1, maxPixels, cancellation);
        RgbImage? image = source.Next();
        if (image is null)
            throw new MediaFormatException(path, MediaProblem.Damaged,
                $"ffmpeg decoded no picture from {stream}: the file is probably truncated or corrupt", source.ErrorText);
        if (source.Next() is not null)
            throw new MediaFormatException(path, MediaProblem.DecodeFailed, "ffmpeg returned more than the one picture asked for");
        return image;
    }
}
