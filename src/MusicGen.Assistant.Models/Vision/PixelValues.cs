namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// A batch of model-ready pixels, as the image processors return them and the encoders take them: row-major
/// [batch, frames, channels, height, width] floats. For images (ViT) frames is 1, which is the same memory as
/// transformers' [batch, channels, height, width] pixel_values; for clips (ViViT) it is VivitModel's
/// [batch, frames, channels, height, width].
/// </summary>
public sealed record PixelValues
{
    public PixelValues(float[] data, int batch, int frames, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batch < 1 || frames < 1 || channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"pixel_values shape [{batch}, {frames}, {channels}, {height}, {width}] has an empty dimension");
        var expected = (long)batch * frames * channels * height * width;
        if (data.Length != expected)
            throw new ArgumentException($"pixel_values [{batch}, {frames}, {channels}, {height}, {width}] needs {expected} values, got {data.Length}", nameof(data));
        (Data, Batch, Frames, Channels, Height, Width) = (data, batch, frames, channels, height, width);
    }

    /// <summary>Images [batch, channels, height, width].</summary>
    public static PixelValues Images(float[] data, int batch, int channels, int height, int width) =>
        new(data, batch, 1, channels, height, width);

    /// <summary>Clips [batch, frames, channels, height, width].</summary>
    public static PixelValues Videos(float[] data, int batch, int frames, int channels, int height, int width) =>
        new(data, batch, frames, channels, height, width);

    public float[] Data { get; }
    public int Batch { get; }
    public int Frames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Values per batch item.</summary>
    public int ItemLength => Frames * Channels * Height * Width;

    public override string ToString() => Frames == 1
        ? $"images [{Batch}, {Channels}, {Height}, {Width}]"
        : $"clips [{Batch}, {Frames}, {Channels}, {Height}, {Width}]";
}
