using MusicGen.Assistant.Training.Imaging;

namespace MusicGen.Assistant.Training.Procedural;

/// <summary>
/// A picture derived from a spec, so an image and its music share their parameters: the hue is the key's place on the
/// circle of fifths, a major key is bright and a minor key dark, the number of shapes grows with the tempo and their
/// kind follows the lead instrument (plucked: discs, bowed: bands, blown: rings, struck: squares). Video frames draw
/// the same picture with the shapes pulsing on the beat.
/// </summary>
public static class CoverArt
{
    private static readonly string[] ColourNames = ["red", "orange", "yellow", "lime", "green", "teal", "cyan", "azure", "blue", "violet", "purple", "pink"];

    public static double Hue(MusicSpec s) => s.Key.Tonic * 7 % 12 * 30.0;

    public static string ColourName(MusicSpec s) => ColourNames[(int)(Hue(s) / 30) % 12];

    public static int ShapeCount(MusicSpec s) => Math.Clamp(s.Tempo / 20, 2, 9);

    public static string ShapeName(MusicSpec s) => s.Lead switch
    {
        Timbre.Plucked => "discs",
        Timbre.Bowed => "bands",
        Timbre.Blown => "rings",
        _ => "squares",
    };

    /// <summary>The still image (every shape at rest).</summary>
    public static RgbCanvas Draw(MusicSpec s, int width, int height) => Draw(s, width, height, 1.0);

    /// <summary>The picture with every shape scaled by <paramref name="pulse"/> (1 = at rest).</summary>
    public static RgbCanvas Draw(MusicSpec s, int width, int height, double pulse)
    {
        var canvas = new RgbCanvas(width, height);
        var hue = Hue(s);
        var bright = s.Key.Mode == Mode.Major;
        for (var y = 0; y < height; y++)
        {
            var v = bright ? 0.95 - 0.25 * y / height : 0.18 + 0.15 * y / height;
            canvas.FillRect(0, y, width, 1, RgbCanvas.Hsv(hue + 20, bright ? 0.2 : 0.5, v));
        }
        var r = SeededRandom.For(s.Seed, "art");
        var colour = RgbCanvas.Hsv(hue, 0.8, bright ? 0.75 : 0.9);
        var size = Math.Min(width, height);
        for (var i = 0; i < ShapeCount(s); i++)
        {
            var cx = r.Uniform(0.15, 0.85) * width;
            var cy = r.Uniform(0.15, 0.85) * height;
            var radius = r.Uniform(0.05, 0.12) * size * pulse;
            switch (s.Lead)
            {
                case Timbre.Plucked: canvas.FillCircle(cx, cy, radius, colour); break;
                case Timbre.Blown: canvas.FillCircle(cx, cy, radius, colour, thickness: Math.Max(1, radius / 3)); break;
                case Timbre.Struck: canvas.FillRect((int)(cx - radius), (int)(cy - radius), (int)(2 * radius), (int)(2 * radius), colour); break;
                default:
                    for (var x = 0; x < width; x++)
                        canvas.FillRect(x, (int)(cy + radius * 0.5 * Math.Sin(2 * Math.PI * x / width * 2 + i)), 1, Math.Max(1, (int)(radius / 3)), colour);
                    break;
            }
        }
        return canvas;
    }

    /// <summary>The shapes' scale at time t: a swell on every beat that decays within it.</summary>
    public static double Pulse(MusicSpec s, double t) => 1 + 0.35 * Math.Exp(-8 * (t % s.BeatSeconds) / s.BeatSeconds);
}
