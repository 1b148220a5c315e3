namespace MusicGen.Assistant.Models.Vision;

/// <summary>PIL's resampling filters, numbered as PIL.Image.Resampling (the "resample" value of preprocessor configs).</summary>
public enum PilResample
{
    Nearest = 0,
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}

/// <summary>
/// PIL's Image.resize for 8-bit images, reproduced value for value (Hugging Face image processors resize through
/// PIL). Filtered modes are PIL's separable convolution: the filter is widened by the scale factor when
/// downscaling (antialiasing), weights are normalized per output pixel and rounded to 22-bit fixed point, the
/// horizontal pass runs first and its result is rounded to bytes before the vertical pass. Nearest is PIL's affine
/// scaling that samples the source pixel under each output pixel's centre.
/// </summary>
public static class PilResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes interleaved 8-bit pixels (any channel count) to outWidth × outHeight.</summary>
    public static byte[] Resize(ReadOnlySpan<byte> pixels, int width, int height, int channels, int outWidth, int outHeight, PilResample filter)
    {
        if (width < 1 || height < 1 || outWidth < 1 || outHeight < 1 || channels < 1)
            throw new ArgumentException($"cannot resize {width}×{height} to {outWidth}×{outHeight} ({channels} channels)");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"a {width}×{height} image of {channels} channels holds {(long)width * height * channels} bytes, got {pixels.Length}", nameof(pixels));
        if (width == outWidth && height == outHeight) return pixels.ToArray(); // PIL returns a copy
        if (filter == PilResample.Nearest) return Nearest(pixels, width, height, channels, outWidth, outHeight);

        var source = pixels.ToArray();
        if (outWidth != width)
        {
            var (bounds, kk, ksize) = Coefficients(width, outWidth, filter);
            source = Horizontal(source, width, height, channels, outWidth, bounds, kk, ksize);
            width = outWidth;
        }
        if (outHeight != height)
        {
            var (bounds, kk, ksize) = Coefficients(height, outHeight, filter);
            source = Vertical(source, width, channels, outHeight, bounds, kk, ksize);
        }
        return source;
    }

    // Resample.c precompute_coeffs + normalize_coeffs_8bpc: per output index, the first input index, the count of
    // inputs and their fixed-point weights (ksize slots each).
    private static (int[] Bounds, int[] Weights, int KernelSize) Coefficients(int inSize, int outSize, PilResample filter)
    {
        var (function, baseSupport) = Filter(filter);
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0);
        var support = baseSupport * filterScale;
        var ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = (xx + 0.5) * scale;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0;
            for (var x = 0; x < xmax; x++)
            {
                var w = function((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (var x = 0; x < xmax; x++)
            {
                var normalized = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = normalized < 0
                    ? (int)(-0.5 + normalized * (1 << PrecisionBits))
                    : (int)(0.5 + normalized * (1 << PrecisionBits));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return (bounds, weights, ksize);
    }

    private static byte[] Horizontal(byte[] source, int width, int height, int channels, int outWidth, int[] bounds, int[] kk, int ksize)
    {
        var result = new byte[(long)outWidth * height * channels];
        for (var y = 0; y < height; y++)
        {
            var row = (long)y * width * channels;
            for (var xx = 0; xx < outWidth; xx++)
            {
                int xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1], k = xx * ksize;
                for (var c = 0; c < channels; c++)
                {
                    var ss = 1 << (PrecisionBits - 1);
                    for (var x = 0; x < xmax; x++) ss += source[row + (long)(x + xmin) * channels + c] * kk[k + x];
                    result[((long)y * outWidth + xx) * channels + c] = Clip8(ss);
                }
            }
        }
        return result;
    }

    private static byte[] Vertical(byte[] source, int width, int channels, int outHeight, int[] bounds, int[] kk, int ksize)
    {
        var stride = (long)width * channels;
        var result = new byte[stride * outHeight];
        for (var yy = 0; yy < outHeight; yy++)
        {
            int ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1], k = yy * ksize;
            for (long i = 0; i < stride; i++)
            {
                var ss = 1 << (PrecisionBits - 1);
                for (var y = 0; y < ymax; y++) ss += source[(y + ymin) * stride + i] * kk[k + y];
                result[yy * stride + i] = Clip8(ss);
            }
        }
        return result;
    }

    private static byte Clip8(int value) => (byte)Math.Clamp(value >> PrecisionBits, 0, 255);

    // Geometry.c ImagingScaleAffine: source coordinate = (out + 0.5)·scale, accumulated in doubles as PIL does.
    private static byte[] Nearest(ReadOnlySpan<byte> source, int width, int height, int channels, int outWidth, int outHeight)
    {
        var result = new byte[(long)outWidth * outHeight * channels];
        double xScale = (double)width / outWidth, yScale = (double)height / outHeight;
        var columns = new int[outWidth];
        var xo = xScale * 0.5;
        for (var x = 0; x < outWidth; x++, xo += xScale) columns[x] = Math.Min((int)xo, width - 1);
        var yo = yScale * 0.5;
        for (var y = 0; y < outHeight; y++, yo += yScale)
        {
            var sourceRow = (long)Math.Min((int)yo, height - 1) * width * channels;
            for (var x = 0; x < outWidth; x++)
                source.Slice((int)(sourceRow + (long)columns[x] * channels), channels)
                    .CopyTo(result.AsSpan((int)(((long)y * outWidth + x) * channels), channels));
        }
        return result;
    }

    private static (Func<double, double> Function, double Support) Filter(PilResample filter) => filter switch
    {
        PilResample.Box => (x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0, 0.5),
        PilResample.Bilinear => (x => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0, 1.0),
        PilResample.Hamming => (Hamming, 1.0),
        PilResample.Bicubic => (Bicubic, 2.0),
        PilResample.Lanczos => (x => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0, 3.0),
        _ => throw new ArgumentException($"resample {(int)filter} is not one of PIL's filters (0..5)", nameof(filter)),
    };

    private static double Hamming(double x)
    {
        x = Math.Abs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * ((double)0.54f + (double)0.46f * Math.Cos(x)); // PIL writes the constants as floats
    }

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
