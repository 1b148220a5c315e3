namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Reads binary PPM (P6, maxval 255) frames one after another from ffmpeg's <c>image2pipe</c> output. Each frame names
/// its own size, so rotation, odd sizes and pixel-aspect handling inside ffmpeg need no guessing here.
/// </summary>
internal sealed class PpmFrameReader(Stream stream, string path, long maxPixels)
{
    private readonly BufferedStream _input = new(stream, 1 << 16);

    /// <summary>The next frame, or null at the end of the stream.</summary>
    public RgbImage? Next()
    {
        int first = _input.ReadByte();
        if (first < 0)
            return null;
        if (first != 'P' || _input.ReadByte() != '6')
            throw Bad("a frame does not start with the PPM 'P6' marker");
        int width = ReadNumber("width"), height = ReadNumber("height"), maxValue = ReadNumber("maximum value");
        if (maxValue != 255)
            throw Bad($"a frame has maximum value {maxValue}, expected 255 (8 bits per channel)");
        if (width <= 0 || height <= 0)
            throw Bad($"a frame is {width}x{height}");
        if ((long)width * height > maxPixels)
            throw new MediaFormatException(path, MediaProblem.TooLarge,
                $"the picture is {width}x{height} = {(long)width * height} pixels, over the limit of {maxPixels} (MaxPixels)");
        var pixels = new byte[3L * width * height];
        int got = _input.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false);
        if (got < pixels.Length)
            throw Bad($"a {width}x{height} frame ends after {got} of {pixels.Length} bytes");
        return new RgbImage(width, height, pixels);
    }

    // Header numbers are ASCII decimals separated by whitespace; exactly one whitespace byte follows the last.
    private int ReadNumber(string what)
    {
        int b;
        do
        {
            b = _input.ReadByte();
            if (b == '#')
                while (b is not ('\n' or -1))
                    b = _input.ReadByte();
        }
        while (b is ' ' or '\n' or '\r' or '\t');
        long value = 0;
        int digits = 0;
        while (b is >= '0' and <= '9')
        {
            value = value * 10 + (b - '0');
            if (value > int.MaxValue)
                throw Bad($"the frame {what} is too large");
            digits++;
            b = _input.ReadByte();
        }
        if (digits == 0 || b is not (' ' or '\n' or '\r' or '\t'))
            throw Bad($"the frame header's {what} is not a number");
        return (int)value;
    }

    private MediaFormatException Bad(string problem) =>
        new(path, MediaProblem.DecodeFailed, $"ffmpeg's picture output cannot be read: {problem}");
}
