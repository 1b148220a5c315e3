using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// A direct double-precision T5 encoder written from transformers' T5Stack description (loops, no ggml), reading the
/// weights of an F32 GGUF by <see cref="T5Keys"/>. It checks the graph on settings the PyTorch fixtures lack (gated
/// feed-forward, other activations, heads·d_kv ≠ d_model, long sequences reaching the log-spaced buckets).
/// </summary>
internal sealed class T5HostReference
{
    private readonly GgufFile _file;
    private readonly T5Config _c;

    public T5HostReference(GgufFile file)
    {
        _file = file;
        _c = T5Metadata.Read(file.Metadata);
    }

    public float[] Weights(string name)
    {
        var info = _file.GetTensor(name);
        if (info.Type != Native.GgmlType.F32) throw new InvalidOperationException($"{name} is {info.Type}; the host reference reads F32 files");
        return MemoryMarshal.Cast<byte, float>(_file.GetTensorBytes(info)).ToArray();
    }

    /// <summary>last_hidden_state [B, L, d_model] (row-major).</summary>
    public double[] Encode(int[,] ids, int[,] mask)
    {
        int batch = ids.GetLength(0), length = ids.GetLength(1), d = _c.DModel;
        var result = new double[batch * length * d];
        for (var b = 0; b < batch; b++)
        {
            var row = Row(ids, mask, b, length);
            for (var t = 0; t < length; t++) Array.Copy(row[t], 0, result, (b * length + t) * d, d);
        }
        return result;
    }

    private double[][] Row(int[,] ids, int[,] mask, int b, int length)
    {
        int d = _c.DModel, heads = _c.NumHeads, dk = _c.DKv;
        var embedding = Weights(T5Keys.TokenEmbedding);
        var x = Enumerable.Range(0, length).Select(t => Enumerable.Range(0, d).Select(j => (double)embedding[ids[b, t] * d + j]).ToArray()).ToArray();
        // position_bias[h, q, k] + extended mask (1 - m) * finfo(float32).min, shared by all blocks
        var relative = Weights(T5Keys.RelativeAttentionBias);
        var bias = new double[heads, length, length];
        for (var h = 0; h < heads; h++)
            for (var q = 0; q < length; q++)
                for (var k = 0; k < length; k++)
                    bias[h, q, k] = relative[T5RelativePosition.Bucket(k - q, _c.RelativeAttentionNumBuckets, _c.RelativeAttentionMaxDistance) * heads + h]
                                    + (mask[b, k] == 1 ? 0 : float.MinValue);
        for (var i = 0; i < _c.NumLayers; i++)
        {
            var n = Norm(x, T5Keys.AttentionNorm(i));
            double[][] qs = Linear(n, T5Keys.Query(i)), ks = Linear(n, T5Keys.Key(i)), vs = Linear(n, T5Keys.Value(i));
            var mixed = Enumerable.Range(0, length).Select(_ => new double[heads * dk]).ToArray();
            for (var h = 0; h < heads; h++)
                for (var q = 0; q < length; q++)
                {
                    var scores = new double[length];
                    for (var k = 0; k < length; k++)
                    {
                        var s = 0.0;
                        for (var j = 0; j < dk; j++) s += qs[q][h * dk + j] * ks[k][h * dk + j];
                        scores[k] = s + bias[h, q, k]; // no 1/sqrt(d_kv)
                    }
                    var max = scores.Max();
                    var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                    var sum = weights.Sum();
                    for (var k = 0; k < length; k++)
                        for (var j = 0; j < dk; j++) mixed[q][h * dk + j] += weights[k] / sum * vs[k][h * dk + j];
                }
            x = AddInto(x, Linear(mixed, T5Keys.Output(i)));
            n = Norm(x, T5Keys.FeedForwardNorm(i));
            var up = Linear(n, T5Keys.Up(i));
            var hidden = _c.IsGated
                ? Linear(n, T5Keys.Gate(i)).Select((g, t) => g.Select((v, j) => Activate(v) * up[t][j]).ToArray()).ToArray()
                : up.Select(r => r.Select(Activate).ToArray()).ToArray();
            x = AddInto(x, Linear(hidden, T5Keys.Down(i)));
        }
        return Norm(x, T5Keys.FinalNorm);
    }

    // PyTorch Linear weight [out, in] = GGUF {in, out}: element (o, i) at o * in + i
    private double[][] Linear(double[][] x, string name)
    {
        var w = Weights(name);
        var inputs = x[0].Length;
        var outputs = w.Length / inputs;
        return x.Select(r =>
        {
            var y = new double[outputs];
            for (var o = 0; o < outputs; o++)
            {
                var s = 0.0;
                for (var i = 0; i < inputs; i++) s += w[o * inputs + i] * r[i];
                y[o] = s;
            }
            return y;
        }).ToArray();
    }

    private double[][] Norm(double[][] x, string name)
    {
        var w = Weights(name);
        return x.Select(r =>
        {
            var scale = 1 / Math.Sqrt(r.Select(v => v * v).Average() + _c.LayerNormEpsilon);
            return r.Select((v, j) => v * scale * w[j]).ToArray();
        }).ToArray();
    }

    private static double[][] AddInto(double[][] x, double[][] y) => x.Select((r, t) => r.Select((v, j) => v + y[t][j]).ToArray()).ToArray();

    private double Activate(double v) => _c.Activation switch
    {
        T5Activation.Relu => Math.Max(0, v),
        T5Activation.Gelu => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))),
        T5Activation.GeluNew => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
        T5Activation.Silu => v / (1 + Math.Exp(-v)),
        var a => throw new NotSupportedException(a.ToString()),
    };

    // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): far below the float32 tolerances used
    private static double Erf(double x)
    {
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + 0.3275911 * x);
        var y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
