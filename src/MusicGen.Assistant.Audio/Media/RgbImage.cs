namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// An 8-bit RGB picture: <see cref="Pixels"/> holds rows top to bottom, each pixel as R, G, B bytes (RGB24, no padding),
/// the layout vision preprocessors take. Alpha is dropped (not composited), as PIL's <c>convert("RGB")</c> does.
/// </summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.LongLength != 3L * width * height)
            throw new ArgumentException(
                $"A {width}x{height} RGB24 image has {3L * width * height} bytes, not {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major RGB24 bytes: pixel (x, y) starts at <c>3·(y·Width + x)</c>.</summary>
    public byte[] Pixels { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside the {Width}x{Height} image.");
            int i = 3 * (y * Width + x);
            return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }

    public override string ToString() => $"RgbImage({Width}x{Height})";
}
