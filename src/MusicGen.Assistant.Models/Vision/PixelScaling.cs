namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// The processors' last steps on 8-bit RGB: rescale, optional offset, normalize, HWC -> CHW. The arithmetic follows
/// transformers' numpy exactly: u · factor in double then cast to float32 (rescale), then float32 "- 1" (ViViT's
/// offset) and float32 (x - mean) / std (normalize).
/// </summary>
internal readonly record struct PixelScaling(bool Rescale, double Factor, bool Offset, bool Normalize, float[] Mean, float[] Std)
{
    /// <summary>Writes rgb (height × width × 3) as [3, height, width] floats into destination.</summary>
    public void WriteChw(ReadOnlySpan<byte> rgb, int height, int width, Span<float> destination)
    {
        var plane = height * width;
        if (rgb.Length != plane * 3 || destination.Length != plane * 3)
            throw new ArgumentException($"{height}×{width} RGB needs {plane * 3} values ({rgb.Length} in, {destination.Length} out)");
        Span<float> table = stackalloc float[3 * 256];
        for (var c = 0; c < 3; c++)
            for (var u = 0; u < 256; u++)
                table[c * 256 + u] = Value(u, c);
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++)
                destination[c * plane + i] = table[c * 256 + rgb[3 * i + c]];
    }

    public float Value(int u, int channel)
    {
        var v = Rescale ? (float)(u * Factor) : u;
        if (Offset) v -= 1f;
        if (Normalize) v = (v - Mean[channel]) / Std[channel];
        return v;
    }
}
