using System.Globalization;
using System.Text;
using MusicGen.Assistant.Training.Imaging;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>
/// The loss curve as a CSV (step, loss, lr, grad_norm, valid_loss, then each metric) and as a PNG: train loss in blue,
/// held-out loss as orange dots, y from the lowest to the highest value, labelled with those values and the last step.
/// </summary>
public static class LossCurve
{
    public static string Csv(IReadOnlyList<StepRecord> history)
    {
        var metrics = history.SelectMany(h => h.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var validMetrics = history.SelectMany(h => h.ValidMetrics?.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder("step,loss,lr,grad_norm,valid_loss");
        foreach (var m in metrics) sb.Append(',').Append(m);
        foreach (var m in validMetrics) sb.Append(",valid_").Append(m);
        sb.Append('\n');
        foreach (var h in history)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{h.Step},{h.Loss:R},{h.LearningRate:R},{h.GradientNorm:R},");
            if (h.ValidLoss is { } v) sb.Append(v.ToString("R", CultureInfo.InvariantCulture));
            foreach (var m in metrics)
            {
                sb.Append(',');
                if (h.Metrics.TryGetValue(m, out var x)) sb.Append(x.ToString("R", CultureInfo.InvariantCulture));
            }
            foreach (var m in validMetrics)
            {
                sb.Append(',');
                if (h.ValidMetrics is { } vm && vm.TryGetValue(m, out var x)) sb.Append(x.ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static void WriteCsv(string path, IReadOnlyList<StepRecord> history) => Data.JsonDatasetFile.WriteText(path, Csv(history));

    public static RgbCanvas Plot(IReadOnlyList<StepRecord> history, int width = 640, int height = 400)
    {
        var canvas = new RgbCanvas(width, height);
        canvas.Fill((255, 255, 255));
        const int left = 60, right = 20, top = 20, bottom = 40;
        var (w, h) = (width - left - right, height - top - bottom);
        canvas.Line(left, top, left, top + h, (0, 0, 0));
        canvas.Line(left, top + h, left + w, top + h, (0, 0, 0));
        var values = history.Select(r => r.Loss).Concat(history.Where(r => r.ValidLoss is not null).Select(r => r.ValidLoss!.Value)).Where(double.IsFinite).ToList();
        if (history.Count == 0 || values.Count == 0) return canvas;
        var (lo, hi) = (values.Min(), values.Max());
        if (hi - lo < 1e-12) (lo, hi) = (lo - 0.5, hi + 0.5);
        var lastStep = Math.Max(1, history[^1].Step);
        double X(long step) => left + (double)step / lastStep * w;
        double Y(double v) => top + (hi - v) / (hi - lo) * h;
        var trained = history.Where(r => double.IsFinite(r.Loss)).ToList();
        for (var i = 1; i < trained.Count; i++)
            canvas.Line(X(trained[i - 1].Step), Y(trained[i - 1].Loss), X(trained[i].Step), Y(trained[i].Loss), (31, 119, 180), 2);
        foreach (var r in history.Where(r => r.ValidLoss is { } v && double.IsFinite(v)))
            canvas.FillCircle(X(r.Step), Y(r.ValidLoss!.Value), 4, (255, 127, 14));
        Text(canvas, Format(hi), 4, top - 3);
        Text(canvas, Format(lo), 4, top + h - 3);
        Text(canvas, "0", left - 2, top + h + 8);
        var last = lastStep.ToString(CultureInfo.InvariantCulture);
        Text(canvas, last, left + w - 4 * last.Length * 2, top + h + 8);
        return canvas;
    }

    public static void WritePng(string path, IReadOnlyList<StepRecord> history) => PngWriter.Write(path, Plot(history));

    private static string Format(double v) => v.ToString(Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-3 ? "0.00e0" : "0.####", CultureInfo.InvariantCulture);

    // 3x5 glyphs, rows top to bottom, 3 bits each (4 = left column)
    private static readonly Dictionary<char, int[]> Glyphs = new()
    {
        ['0'] = [7, 5, 5, 5, 7], ['1'] = [2, 6, 2, 2, 7], ['2'] = [7, 1, 7, 4, 7], ['3'] = [7, 1, 7, 1, 7], ['4'] = [5, 5, 7, 1, 1],
        ['5'] = [7, 4, 7, 1, 7], ['6'] = [7, 4, 7, 5, 7], ['7'] = [7, 1, 1, 1, 1], ['8'] = [7, 5, 7, 5, 7], ['9'] = [7, 5, 7, 1, 7],
        ['.'] = [0, 0, 0, 0, 2], ['-'] = [0, 0, 7, 0, 0], ['e'] = [0, 7, 7, 4, 7],
    };

    private static void Text(RgbCanvas canvas, string text, int x, int y, int scale = 2)
    {
        foreach (var c in text)
        {
            if (Glyphs.TryGetValue(c, out var rows))
                for (var r = 0; r < 5; r++)
                    for (var b = 0; b < 3; b++)
                        if ((rows[r] >> (2 - b) & 1) != 0) canvas.FillRect(x + b * scale, y + r * scale, scale, scale, (0, 0, 0));
            x += 4 * scale;
        }
    }
}
