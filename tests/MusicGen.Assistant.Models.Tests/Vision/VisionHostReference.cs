using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>
/// A plain double-precision ViT / ViViT forward pass straight from an f32 GGUF (the strided convolution computed
/// pixel by pixel, loops for everything else), to check the ggml encoder on settings the fixtures lack.
/// Returns hidden states, last_hidden_state and pooler output as [B, S, D] / [B, D] arrays.
/// </summary>
internal static class VisionHostReference
{
    public static (double[][] States, double[] Last, double[]? Pooled) Run(GgufFile file, VisionTransformerConfig c, PixelValues p)
    {
        var k = VisionKeys.For(c.Family);
        double[] T(string name) => file.ReadFloat32(name).Select(x => (double)x).ToArray();
        int d = c.HiddenSize, s = c.SequenceLength, f = c.IntermediateSize;
        var states = Enumerable.Range(0, c.NumHiddenLayers + 1).Select(_ => new double[p.Batch * s * d]).ToArray();
        var last = new double[p.Batch * s * d];
        var pooled = file.ContainsTensor(k.PoolerWeight) ? new double[p.Batch * d] : null;
        var patchW = T(k.PatchWeight);
        var patchB = T(k.PatchBias);
        var cls = T(k.ClassEmbedding);
        var pos = T(k.PositionEmbedding);
        for (var b = 0; b < p.Batch; b++)
        {
            var x = new double[s][];
            x[0] = Enumerable.Range(0, d).Select(j => cls[j] + pos[j]).ToArray();
            var token = 1;
            for (var gt = 0; gt < c.GridFrames; gt++)
                for (var gy = 0; gy < c.GridHeight; gy++)
                    for (var gx = 0; gx < c.GridWidth; gx++, token++)
                    {
                        var e = new double[d];
                        for (var o = 0; o < d; o++)
                        {
                            var acc = patchB[o];
                            var w = 0;
                            for (var ch = 0; ch < c.NumChannels; ch++)
                                for (var dt = 0; dt < c.PatchFrames; dt++)
                                    for (var dy = 0; dy < c.PatchHeight; dy++)
                                        for (var dx = 0; dx < c.PatchWidth; dx++, w++)
                                            acc += patchW[o * c.PatchVectorLength + w] * Pixel(p, b, gt * c.PatchFrames + dt, ch, gy * c.PatchHeight + dy, gx * c.PatchWidth + dx);
                            e[o] = acc + pos[token * d + o];
                        }
                        x[token] = e;
                    }
            Store(states[0], b, x);
            for (var i = 0; i < c.NumHiddenLayers; i++)
            {
                string M(string module) => k.Block(i, module);
                double[]? Bias(string module) => file.ContainsTensor(M(module) + ".bias") ? T(M(module) + ".bias") : null;
                var n1 = x.Select(r => Norm(r, T(M(VisionKeys.BeforeNorm) + ".weight"), T(M(VisionKeys.BeforeNorm) + ".bias"), c.LayerNormEps)).ToArray();
                var q = n1.Select(r => Linear(r, T(M(VisionKeys.Query) + ".weight"), Bias(VisionKeys.Query), d)).ToArray();
                var kk = n1.Select(r => Linear(r, T(M(VisionKeys.Key) + ".weight"), Bias(VisionKeys.Key), d)).ToArray();
                var v = n1.Select(r => Linear(r, T(M(VisionKeys.Value) + ".weight"), Bias(VisionKeys.Value), d)).ToArray();
                var mixed = Attention(q, kk, v, c.NumAttentionHeads);
                var h = x.Select((r, t) => Add(r, Linear(mixed[t], T(M(VisionKeys.AttentionOutput) + ".weight"), Bias(VisionKeys.AttentionOutput), d))).ToArray();
                x = h.Select(r =>
                {
                    var n2 = Norm(r, T(M(VisionKeys.AfterNorm) + ".weight"), T(M(VisionKeys.AfterNorm) + ".bias"), c.LayerNormEps);
                    var up = Linear(n2, T(M(VisionKeys.Up) + ".weight"), Bias(VisionKeys.Up), f).Select(a => Activate(a, c.Activation)).ToArray();
                    return Add(r, Linear(up, T(M(VisionKeys.Down) + ".weight"), Bias(VisionKeys.Down), d));
                }).ToArray();
                Store(states[i + 1], b, x);
            }
            var normed = x.Select(r => Norm(r, T(k.FinalNormWeight), T(k.FinalNormBias), c.LayerNormEps)).ToArray();
            Store(last, b, normed);
            if (pooled is not null)
                Linear(normed[0], T(k.PoolerWeight), T(k.PoolerBias), d).Select(Math.Tanh).ToArray().CopyTo(pooled, b * d);
        }
        return (states, last, pooled);
    }

    private static double Pixel(PixelValues p, int b, int frame, int channel, int y, int x) =>
        p.Data[(((long)b * p.Frames + frame) * p.Channels + channel) * p.Height * p.Width + (long)y * p.Width + x];

    private static void Store(double[] target, int b, double[][] rows)
    {
        var offset = b * rows.Length * rows[0].Length;
        foreach (var r in rows) { r.CopyTo(target, offset); offset += r.Length; }
    }

    private static double[] Add(double[] a, double[] b) => a.Select((x, i) => x + b[i]).ToArray();

    private static double[] Norm(double[] x, double[] w, double[] b, double eps)
    {
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * w[i] + b[i]).ToArray();
    }

    // weight {in, out} in ggml order = PyTorch [out, in] row-major
    private static double[] Linear(double[] x, double[] w, double[]? bias, int outputs) =>
        Enumerable.Range(0, outputs).Select(o =>
        {
            var acc = bias?[o] ?? 0;
            for (var i = 0; i < x.Length; i++) acc += w[o * x.Length + i] * x[i];
            return acc;
        }).ToArray();

    private static double[][] Attention(double[][] q, double[][] k, double[][] v, int heads)
    {
        int n = q.Length, d = q[0].Length, hd = d / heads;
        var result = Enumerable.Range(0, n).Select(_ => new double[d]).ToArray();
        for (var h = 0; h < heads; h++)
            for (var i = 0; i < n; i++)
            {
                var scores = new double[n];
                for (var j = 0; j < n; j++)
                {
                    double dot = 0;
                    for (var e = 0; e < hd; e++) dot += q[i][h * hd + e] * k[j][h * hd + e];
                    scores[j] = dot / Math.Sqrt(hd);
                }
                var max = scores.Max();
                var weights = scores.Select(sc => Math.Exp(sc - max)).ToArray();
                var sum = weights.Sum();
                for (var j = 0; j < n; j++)
                    for (var e = 0; e < hd; e++) result[i][h * hd + e] += weights[j] / sum * v[j][h * hd + e];
            }
        return result;
    }

    public static double Activate(double x, VisionActivation a) => a switch
    {
        VisionActivation.Gelu => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        VisionActivation.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        VisionActivation.QuickGelu => x / (1 + Math.Exp(-1.702 * x)),
        VisionActivation.Relu => Math.Max(0, x),
        VisionActivation.Silu => x / (1 + Math.Exp(-x)),
        _ => throw new NotSupportedException(a.ToString()),
    };

    // Maclaurin series; |x| < 4 keeps the cancellation below 1e-9, beyond it erf is ±1 to 2e-8
    private static double Erf(double x)
    {
        if (Math.Abs(x) >= 4) return Math.Sign(x);
        double term = x, sum = x;
        for (var n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
        {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
