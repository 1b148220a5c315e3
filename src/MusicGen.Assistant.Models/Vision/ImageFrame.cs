namespace MusicGen.Assistant.Models.Vision;

/// <summary>Byte layouts an <see cref="ImageFrame"/> may hold: interleaved 8-bit channels, rows packed.</summary>
public enum ImagePixelFormat
{
    /// <summary>One byte per pixel (PIL mode "L").</summary>
    Gray8 = 1,

    /// <summary>Gray then alpha (PIL mode "LA").</summary>
    GrayAlpha16 = 2,

    /// <summary>R, G, B (PIL mode "RGB"; ffmpeg rgb24).</summary>
    Rgb24 = 3,

    /// <summary>R, G, B, A (PIL mode "RGBA"; ffmpeg rgba).</summary>
    Rgba32 = 4,
}

/// <summary>
/// A decoded image or video frame as the media decoder hands it over: width × height pixels, rows top to bottom,
/// packed without padding, channels interleaved. The image processors take these and convert them to RGB the way
/// PIL's <c>Image.convert("RGB")</c> does.
/// </summary>
public sealed record ImageFrame
{
    public ImageFrame(int width, int height, ImagePixelFormat format, ReadOnlyMemory<byte> pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"image size {width}×{height} must be positive");
        if (!Enum.IsDefined(format)) throw new ArgumentException($"unknown pixel format {(int)format}", nameof(format));
        var expected = (long)width * height * (int)format;
        if (pixels.Length != expected)
            throw new ArgumentException($"a {width}×{height} {format} image holds {expected} bytes, got {pixels.Length}", nameof(pixels));
        (Width, Height, Format, Pixels) = (width, height, format, pixels);
    }

    /// <summary>An RGB24 buffer (3 bytes per pixel), e.g. one frame of ffmpeg's rgb24 output.</summary>
    public static ImageFrame Rgb24(int width, int height, ReadOnlyMemory<byte> pixels) => new(width, height, ImagePixelFormat.Rgb24, pixels);

    public int Width { get; }
    public int Height { get; }
    public ImagePixelFormat Format { get; }
    public ReadOnlyMemory<byte> Pixels { get; }

    public int Channels => (int)Format;

    /// <summary>
    /// The pixels as RGB24, as PIL's convert("RGB") gives them: gray is copied to R, G and B, and alpha is dropped
    /// (not composited over a background).
    /// </summary>
    public byte[] ToRgb24()
    {
        var source = Pixels.Span;
        if (Format == ImagePixelFormat.Rgb24) return source.ToArray();
        var count = Width * Height;
        var rgb = new byte[count * 3];
        var step = Channels;
        for (var i = 0; i < count; i++)
        {
            var s = i * step;
            if (Format is ImagePixelFormat.Gray8 or ImagePixelFormat.GrayAlpha16)
                rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = source[s];
            else
            {
                rgb[3 * i] = source[s];
                rgb[3 * i + 1] = source[s + 1];
                rgb[3 * i + 2] = source[s + 2];
            }
        }
        return rgb;
    }

    public override string ToString() => $"{Width}×{Height} {Format}";
}
