namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// transformers' image_transforms.center_crop on interleaved 8-bit pixels: the window starts at
/// floor((size - crop) / 2); where the image is smaller than the crop it is first centred on a zero canvas (padding
/// ceil((crop - size) / 2) before), so the result is always crop height × crop width.
/// </summary>
public static class CenterCrop
{
    public static byte[] Apply(ReadOnlySpan<byte> pixels, int height, int width, int channels, int cropHeight, int cropWidth)
    {
        if (pixels.Length != (long)height * width * channels)
            throw new ArgumentException($"a {width}×{height} image of {channels} channels holds {(long)height * width * channels} bytes, got {pixels.Length}", nameof(pixels));
        if (cropHeight < 1 || cropWidth < 1) throw new ArgumentOutOfRangeException(nameof(cropHeight), $"crop {cropHeight}×{cropWidth}");
        var (top, topPad) = Axis(height, cropHeight, height < cropHeight || width < cropWidth);
        var (left, leftPad) = Axis(width, cropWidth, height < cropHeight || width < cropWidth);
        var result = new byte[(long)cropHeight * cropWidth * channels];
        for (var y = 0; y < cropHeight; y++)
        {
            var sy = top + y - topPad;
            if (sy < 0 || sy >= height) continue;
            for (var x = 0; x < cropWidth; x++)
            {
                var sx = left + x - leftPad;
                if (sx < 0 || sx >= width) continue;
                pixels.Slice((sy * width + sx) * channels, channels).CopyTo(result.AsSpan((y * cropWidth + x) * channels, channels));
            }
        }
        return result;
    }

    // Start of the window in padded coordinates and the padding before the image on one axis.
    private static (int Start, int Pad) Axis(int size, int crop, bool padded)
    {
        var start = FloorDiv(size - crop, 2);
        if (!padded) return (start, 0);
        var canvas = Math.Max(size, crop);
        var pad = (canvas - size + 1) / 2;
        return (Math.Max(0, start + pad), pad);
    }

    private static int FloorDiv(int a, int b) => (int)Math.Floor(a / (double)b);
}
