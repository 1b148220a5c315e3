using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// Deterministic stand-ins for decoded media: the encoders' cost does not depend on the content, but the inputs still
/// look like signals (tones over noise, gradients with texture) so that nothing runs on degenerate all-zero data.
/// </summary>
public static class SyntheticInputs
{
    /// <summary>A mono signal of <paramref name="samples"/> samples: three drifting tones and noise, peak ≈ 0.6.</summary>
    public static float[] Audio(long samples, int samplingRate, int seed)
    {
        var rng = new Random(seed);
        var x = new float[samples];
        double[] hz = [110, 277, 659];
        for (long i = 0; i < samples; i++)
        {
            var t = i / (double)samplingRate;
            var v = 0.0;
            for (var k = 0; k < hz.Length; k++) v += 0.15 * Math.Sin(2 * Math.PI * hz[k] * t * (1 + 0.01 * Math.Sin(0.3 * t + k)));
            x[i] = (float)(v + 0.05 * (rng.NextDouble() - 0.5));
        }
        return x;
    }

    /// <summary><paramref name="count"/> RGB24 frames of width × height: a moving colour gradient with pixel noise.</summary>
    public static ImageFrame[] Frames(int count, int width, int height, int seed)
    {
        var rng = new Random(seed);
        var frames = new ImageFrame[count];
        for (var f = 0; f < count; f++)
        {
            var pixels = new byte[width * height * 3];
            rng.NextBytes(pixels);
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var i = 3 * (y * width + x);
                    pixels[i] = (byte)((x * 255 / width + 3 * f + (pixels[i] & 15)) & 255);
                    pixels[i + 1] = (byte)((y * 255 / height + (pixels[i + 1] & 15)) & 255);
                    pixels[i + 2] = (byte)(((x + y) * 127 / (width + height) + 64 + (pixels[i + 2] & 15)) & 255);
                }
            frames[f] = ImageFrame.Rgb24(width, height, pixels);
        }
        return frames;
    }

    /// <summary>Parses "WIDTHxHEIGHT" (e.g. 640x480).</summary>
    public static (int Width, int Height) ParseSize(string text, string option)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var w) && int.TryParse(parts[1], out var h) && w is >= 1 and <= 8192 && h is >= 1 and <= 8192)
            return (w, h);
        throw new Harness.BenchUsageException($"--{option} takes WIDTHxHEIGHT with sides in [1, 8192], not '{text}'");
    }
}
