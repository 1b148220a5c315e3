namespace MusicGen.Assistant.Training.Imaging;

/// <summary>An 8-bit RGB raster (row-major, 3 bytes per pixel) with the few drawing operations the generated images and plots use.</summary>
public sealed class RgbCanvas
{
    public RgbCanvas(int width, int height)
    {
        if (width is < 1 or > 16384 || height is < 1 or > 16384)
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}: each side 1..16384 pixels");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x >= Width || (uint)y >= Height) return;
        var i = (y * Width + x) * 3;
        Pixels[i] = c.R;
        Pixels[i + 1] = c.G;
        Pixels[i + 2] = c.B;
    }

    public (byte R, byte G, byte B) Get(int x, int y)
    {
        var i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void Fill((byte, byte, byte) c) => FillRect(0, 0, Width, Height, c);

    public void FillRect(int x0, int y0, int w, int h, (byte, byte, byte) c)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(Height, y0 + h); y++)
            for (var x = Math.Max(0, x0); x < Math.Min(Width, x0 + w); x++) Set(x, y, c);
    }

    public void FillCircle(double cx, double cy, double radius, (byte, byte, byte) c, double thickness = double.PositiveInfinity)
    {
        for (var y = (int)Math.Floor(cy - radius); y <= (int)Math.Ceiling(cy + radius); y++)
            for (var x = (int)Math.Floor(cx - radius); x <= (int)Math.Ceiling(cx + radius); x++)
            {
                var d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                if (d <= radius && radius - d <= thickness) Set(x, y, c);
            }
    }

    /// <summary>A line of the given width (Bresenham-style stepping along the longer axis).</summary>
    public void Line(double x0, double y0, double x1, double y1, (byte, byte, byte) c, int width = 1)
    {
        var steps = (int)Math.Max(1, Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))));
        for (var i = 0; i <= steps; i++)
        {
            var t = (double)i / steps;
            var x = (int)Math.Round(x0 + t * (x1 - x0));
            var y = (int)Math.Round(y0 + t * (y1 - y0));
            for (var dy = -(width / 2); dy <= (width - 1) / 2; dy++)
                for (var dx = -(width / 2); dx <= (width - 1) / 2; dx++) Set(x + dx, y + dy, c);
        }
    }

    /// <summary>A colour from hue (degrees), saturation and value in [0, 1].</summary>
    public static (byte R, byte G, byte B) Hsv(double hue, double saturation, double value)
    {
        hue = ((hue % 360) + 360) % 360;
        var c = value * saturation;
        var x = c * (1 - Math.Abs(hue / 60 % 2 - 1));
        var m = value - c;
        var (r, g, b) = hue switch
        {
            < 60 => (c, x, 0.0),
            < 120 => (x, c, 0.0),
            < 180 => (0.0, c, x),
            < 240 => (0.0, x, c),
            < 300 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        static byte B(double v) => (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
        return (B(r + m), B(g + m), B(b + m));
    }
}
