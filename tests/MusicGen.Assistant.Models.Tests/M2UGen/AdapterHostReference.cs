using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The adapter written out in float64 from M2UGen's definition (m2ugen.py forward_* at 2c702a4) over the checkpoint's
/// own tensors: an independent check of our graph for inputs the fixture does not record (batches, other lengths).
/// </summary>
internal sealed class AdapterHostReference(SafetensorsCheckpoint checkpoint, M2UGenModality m)
{
    private double[] Read(string name) => checkpoint.ReadFloat32(name).Select(x => (double)x).ToArray();

    /// <summary>Tokens [B, D] for features [B, C, (T,) W] (T only for music).</summary>
    public double[] Tokens(float[] features, int batch, int channels, int frames, int width)
    {
        var agg = Read(AdapterCheckpointKeys.AggWeight(m));
        var aggBias = Read(AdapterCheckpointKeys.AggBias(m))[0];
        var projW = Read(AdapterCheckpointKeys.ProjWeight(m));
        var projB = Read(AdapterCheckpointKeys.ProjBias(m));
        var dim = projB.Length;
        var tokens = new double[batch * dim];
        for (var b = 0; b < batch; b++)
        {
            // time mean (music), then the weighted sum over channels
            var x = new double[width];
            for (var c = 0; c < channels; c++)
                for (var t = 0; t < frames; t++)
                    for (var w = 0; w < width; w++)
                        x[w] += agg[c] * features[((b * channels + c) * frames + t) * width + w] / frames;
            for (var w = 0; w < width; w++) x[w] += aggBias;
            var norm = Math.Max(Math.Sqrt(x.Sum(v => v * v)), 1e-12);
            var h = Enumerable.Range(0, dim).Select(o => projB[o] + Enumerable.Range(0, width).Sum(i => projW[o * width + i] * x[i] / norm / (1 + 1e-6))).ToArray();
            for (var block = 1; checkpoint.Contains(AdapterCheckpointKeys.Norm(m, block)); block++)
                h = Block(h, block);
            Array.Copy(h, 0, tokens, b * dim, dim);
        }
        return tokens;
    }

    private double[] Block(double[] x, int block)
    {
        var g = Read(AdapterCheckpointKeys.Norm(m, block));
        var f1 = Read(AdapterCheckpointKeys.Gate(m, block));
        var f2 = Read(AdapterCheckpointKeys.Down(m, block));
        var f3 = Read(AdapterCheckpointKeys.Up(m, block));
        int d = x.Length, hidden = f1.Length / d;
        var rms = Math.Sqrt(x.Sum(v => v * v) / d + 1e-6);
        var n = x.Select((v, i) => v / rms * g[i]).ToArray();
        var inner = new double[hidden];
        for (var o = 0; o < hidden; o++)
        {
            double a = 0, u = 0;
            for (var i = 0; i < d; i++) { a += f1[o * d + i] * n[i]; u += f3[o * d + i] * n[i]; }
            inner[o] = a / (1 + Math.Exp(-a)) * u;
        }
        var y = new double[d];
        for (var o = 0; o < d; o++)
        {
            double s = 0;
            for (var i = 0; i < hidden; i++) s += f2[o * hidden + i] * inner[i];
            y[o] = x[o] + s;
        }
        return y;
    }
}
