namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// Cuts pixel_values into the patch vectors the patch embedding multiplies (an im2col of the non-overlapping
/// Conv2d / Conv3d): for each item, patches in the convolution output's flatten order (frame, row, column; column
/// fastest), each patch's values in the kernel's order (channel, frame, row, column). Pixels past the last whole
/// patch are dropped, as the strided convolution drops them. Done on the host: a copy of each input value once.
/// </summary>
public static class PatchExtractor
{
    /// <summary>Items [first, first + count) of the batch as {patch vector, patches, count} (ggml order).</summary>
    public static float[] Extract(PixelValues pixels, VisionTransformerConfig c, int first, int count)
    {
        if (first < 0 || count < 1 || first + count > pixels.Batch)
            throw new ArgumentOutOfRangeException(nameof(count), $"items [{first}, {first + count}) of a batch of {pixels.Batch}");
        int pt = c.PatchFrames, ph = c.PatchHeight, pw = c.PatchWidth, channels = c.NumChannels;
        int h = pixels.Height, w = pixels.Width;
        int k = c.PatchVectorLength, n = c.NumPatches;
        var result = new float[(long)k * n * count];
        var source = pixels.Data;
        for (var b = 0; b < count; b++)
        {
            var item = (long)(first + b) * pixels.ItemLength;
            var patch = 0;
            for (var gt = 0; gt < c.GridFrames; gt++)
                for (var gy = 0; gy < c.GridHeight; gy++)
                    for (var gx = 0; gx < c.GridWidth; gx++, patch++)
                    {
                        var destination = ((long)b * n + patch) * k;
                        for (var ch = 0; ch < channels; ch++)
                            for (var dt = 0; dt < pt; dt++)
                            {
                                var frame = gt * pt + dt;
                                var plane = item + ((long)frame * channels + ch) * h * w;
                                for (var dy = 0; dy < ph; dy++)
                                {
                                    var row = plane + (long)(gy * ph + dy) * w + gx * pw;
                                    source.AsSpan((int)row, pw).CopyTo(result.AsSpan((int)destination, pw));
                                    destination += pw;
                                }
                            }
                    }
        }
        return result;
    }
}
