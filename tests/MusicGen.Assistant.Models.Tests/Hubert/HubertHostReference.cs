using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Hubert;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// A direct double-precision HubertModel written from transformers' modeling_hubert (loops, no ggml), reading the
/// weights of an F32 GGUF by <see cref="HubertKeys"/>. It checks the graph on layouts the PyTorch fixture lacks
/// (group-normed first conv, post-norm layers, odd positional kernels, other activations).
/// </summary>
internal sealed class HubertHostReference
{
    private readonly GgufFile _file;
    private readonly HubertConfig _c;

    public HubertHostReference(GgufFile file)
    {
        _file = file;
        _c = HubertMetadata.Read(file.Metadata).Config;
    }

    private readonly Dictionary<string, double[]> _weights = [];

    private double[] W(string name)
    {
        if (_weights.TryGetValue(name, out var cached)) return cached;
        var info = _file.GetTensor(name);
        if (info.Type != Native.GgmlType.F32) throw new InvalidOperationException($"{name} is {info.Type}; the host reference reads F32 files");
        return _weights[name] = MemoryMarshal.Cast<byte, float>(_file.GetTensorBytes(info)).ToArray().Select(x => (double)x).ToArray();
    }

    /// <summary>
    /// Every hidden state [state][frame][hidden] of one row of prepared input values; <paramref name="realSamples"/>
    /// set means the row was given with an attention mask covering that many samples.
    /// </summary>
    public double[][][] Forward(float[] input, int? realSamples = null)
    {
        var features = ConvStack(input);                                              // [T][C]
        var frames = features.Length;
        var valid = realSamples is { } r ? (int)_c.FrameCount(r) : frames;
        var x = features;
        if (_c.FeatProjLayerNorm) x = x.Select(f => LayerNorm(f, HubertKeys.FeatureProjectionNormWeight, HubertKeys.FeatureProjectionNormBias, _c.LayerNormEps)).ToArray();
        x = x.Select(f => Linear(f, HubertKeys.FeatureProjectionWeight, HubertKeys.FeatureProjectionBias)).ToArray();
        if (realSamples is not null)
            for (var t = valid; t < frames; t++) Array.Clear(x[t]);
        var position = PositionalConv(x);
        x = x.Select((f, t) => f.Zip(position[t], (a, b) => a + b).ToArray()).ToArray();
        var states = new List<double[][]>();
        string n(string weightOrBias) => weightOrBias == "w" ? HubertKeys.EncoderNormWeight : HubertKeys.EncoderNormBias;
        if (_c.DoStableLayerNorm)
        {
            for (var i = 0; i < _c.NumHiddenLayers; i++)
            {
                states.Add(x);
                var normed = x.Select(f => LayerNorm(f, HubertKeys.AttentionNorm(i, "weight"), HubertKeys.AttentionNorm(i, "bias"), _c.LayerNormEps)).ToArray();
                x = Add(x, Attention(normed, i, valid, realSamples is not null));
                var normed2 = x.Select(f => LayerNorm(f, HubertKeys.FeedForwardNorm(i, "weight"), HubertKeys.FeedForwardNorm(i, "bias"), _c.LayerNormEps)).ToArray();
                x = Add(x, normed2.Select(f => FeedForward(f, i)).ToArray());
            }
            states.Add(x.Select(f => LayerNorm(f, n("w"), n("b"), _c.LayerNormEps)).ToArray());
        }
        else
        {
            x = x.Select(f => LayerNorm(f, n("w"), n("b"), _c.LayerNormEps)).ToArray();
            for (var i = 0; i < _c.NumHiddenLayers; i++)
            {
                states.Add(x);
                x = Add(x, Attention(x, i, valid, realSamples is not null))
                    .Select(f => LayerNorm(f, HubertKeys.AttentionNorm(i, "weight"), HubertKeys.AttentionNorm(i, "bias"), _c.LayerNormEps)).ToArray();
                x = Add(x, x.Select(f => FeedForward(f, i)).ToArray())
                    .Select(f => LayerNorm(f, HubertKeys.FeedForwardNorm(i, "weight"), HubertKeys.FeedForwardNorm(i, "bias"), _c.LayerNormEps)).ToArray();
            }
            states.Add(x);
        }
        return states.ToArray();
    }

    /// <summary>HubertFeatureEncoder: [frames][conv_dim[-1]].</summary>
    public double[][] ConvStack(float[] input)
    {
        var x = new[] { input.Select(v => (double)v).ToArray() };                     // [channel][time]
        for (var i = 0; i < _c.ConvLayers; i++)
        {
            int cin = x.Length, cout = _c.ConvDim[i], k = _c.ConvKernel[i], s = _c.ConvStride[i];
            var frames = (x[0].Length - k) / s + 1;
            var w = W(HubertKeys.ConvWeight(i));
            var bias = _c.ConvBias ? W(HubertKeys.ConvBiasTensor(i)) : new double[cout];
            var y = new double[cout][];
            for (var o = 0; o < cout; o++)
            {
                y[o] = new double[frames];
                for (var t = 0; t < frames; t++)
                {
                    var sum = bias[o];
                    for (var c = 0; c < cin; c++)
                        for (var q = 0; q < k; q++) sum += w[(o * cin + c) * k + q] * x[c][t * s + q];
                    y[o][t] = sum;
                }
            }
            if (_c.UsesLayerNormConvs)
            {
                for (var t = 0; t < frames; t++)
                {
                    var column = LayerNorm(y.Select(row => row[t]).ToArray(), HubertKeys.ConvNormWeight(i), HubertKeys.ConvNormBias(i), HubertConfig.ConvNormEps);
                    for (var o = 0; o < cout; o++) y[o][t] = column[o];
                }
            }
            else if (i == 0)
            {
                var g = W(HubertKeys.ConvNormWeight(0));
                var b = W(HubertKeys.ConvNormBias(0));
                for (var o = 0; o < cout; o++) y[o] = Normalize(y[o], HubertConfig.ConvNormEps).Select(v => v * g[o] + b[o]).ToArray();
            }
            x = y.Select(row => row.Select(v => Activate(v, _c.FeatureActivation)).ToArray()).ToArray();
        }
        return Enumerable.Range(0, x[0].Length).Select(t => x.Select(row => row[t]).ToArray()).ToArray();
    }

    private double[][] PositionalConv(double[][] x)
    {
        int frames = x.Length, h = _c.HiddenSize, taps = _c.NumConvPosEmbeddings, width = h / _c.NumConvPosEmbeddingGroups, pad = taps / 2;
        var w = W(HubertKeys.PositionalConvWeight);
        var bias = W(HubertKeys.PositionalConvBias);
        var y = new double[frames][];
        for (var t = 0; t < frames; t++)
        {
            y[t] = new double[h];
            for (var o = 0; o < h; o++)
            {
                var group = o / width;
                var sum = bias[o];
                for (var c = 0; c < width; c++)
                    for (var q = 0; q < taps; q++)
                    {
                        var source = t + q - pad;
                        if (source >= 0 && source < frames) sum += w[(o * width + c) * taps + q] * x[source][group * width + c];
                    }
                y[t][o] = Activate(sum, _c.FeatureActivation);
            }
        }
        return y;
    }

    private double[][] Attention(double[][] x, int layer, int valid, bool masked)
    {
        int frames = x.Length, heads = _c.NumAttentionHeads, hd = _c.HeadDim;
        var scale = 1 / Math.Sqrt(hd);
        var q = x.Select(f => Linear(f, HubertKeys.Query(layer, "weight"), HubertKeys.Query(layer, "bias")).Select(v => v * scale).ToArray()).ToArray();
        var k = x.Select(f => Linear(f, HubertKeys.Key(layer, "weight"), HubertKeys.Key(layer, "bias"))).ToArray();
        var v = x.Select(f => Linear(f, HubertKeys.Value(layer, "weight"), HubertKeys.Value(layer, "bias"))).ToArray();
        var mixed = Enumerable.Range(0, frames).Select(_ => new double[_c.HiddenSize]).ToArray();
        for (var head = 0; head < heads; head++)
            for (var i = 0; i < frames; i++)
            {
                var scores = new double[frames];
                for (var j = 0; j < frames; j++)
                {
                    var dot = 0.0;
                    for (var d = 0; d < hd; d++) dot += q[i][head * hd + d] * k[j][head * hd + d];
                    scores[j] = dot + (masked && j >= valid ? float.MinValue : 0);
                }
                var max = scores.Max();
                var e = scores.Select(s => Math.Exp(s - max)).ToArray();
                var total = e.Sum();
                for (var j = 0; j < frames; j++)
                    for (var d = 0; d < hd; d++) mixed[i][head * hd + d] += e[j] / total * v[j][head * hd + d];
            }
        return mixed.Select(f => Linear(f, HubertKeys.Output(layer, "weight"), HubertKeys.Output(layer, "bias"))).ToArray();
    }

    private double[] FeedForward(double[] x, int layer) =>
        Linear(Linear(x, HubertKeys.Up(layer, "weight"), HubertKeys.Up(layer, "bias")).Select(v => Activate(v, _c.HiddenActivation)).ToArray(),
            HubertKeys.Down(layer, "weight"), HubertKeys.Down(layer, "bias"));

    private double[] Linear(double[] x, string weight, string bias)
    {
        var w = W(weight);
        var b = W(bias);
        var y = new double[b.Length];
        for (var o = 0; o < y.Length; o++)
        {
            var sum = b[o];
            for (var i = 0; i < x.Length; i++) sum += w[o * x.Length + i] * x[i];
            y[o] = sum;
        }
        return y;
    }

    private double[] LayerNorm(double[] x, string weight, string bias, double eps)
    {
        var w = W(weight);
        var b = W(bias);
        return Normalize(x, eps).Select((v, i) => v * w[i] + b[i]).ToArray();
    }

    private static double[] Normalize(double[] x, double eps)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select(v => (v - mean) / Math.Sqrt(variance + eps)).ToArray();
    }

    private static double[][] Add(double[][] a, double[][] b) => a.Select((row, t) => row.Zip(b[t], (x, y) => x + y).ToArray()).ToArray();

    private static double Activate(double x, HubertActivation a) => a switch
    {
        HubertActivation.Gelu => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        HubertActivation.Relu => Math.Max(0, x),
        HubertActivation.Silu => x / (1 + Math.Exp(-x)),
        _ => throw new NotSupportedException(a.ToString()),
    };

    // Abramowitz-Stegun 7.1.26 is too coarse here; a series / continued fraction accurate to ~1e-15 instead
    private static double Erf(double x)
    {
        if (Math.Abs(x) > 6) return Math.Sign(x);
        if (Math.Abs(x) < 2.5)
        {
            double sum = x, term = x, x2 = x * x;
            for (var n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                var add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17) break;
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc continued fraction for larger |x|
        var ax = Math.Abs(x);
        double f = 0;
        for (var n = 60; n >= 1; n--) f = n / 2.0 / (ax + f);
        var erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + f);
        return Math.Sign(x) * (1 - erfc);
    }
}
