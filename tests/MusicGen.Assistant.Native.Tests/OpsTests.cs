using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>ggml ops on the CPU backend against straightforward managed reference code.</summary>
public class OpsTests
{
    private static void Close(float[] expected, float[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void MulMat_computes_x_times_w_transposed()
    {
        const int k = 37, m = 5, n = 3; // odd sizes on purpose
        var w = CpuGraph.Random(k * m, 1);  // PyTorch [m, k]
        var x = CpuGraph.Random(k * n, 2);  // [n, k]
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.MulMat(g.Input(w, k, m), g.Input(x, k, n)));
        var expected = new float[m * n];
        for (var j = 0; j < n; j++)
            for (var i = 0; i < m; i++)
            {
                double s = 0;
                for (var t = 0; t < k; t++) s += w[i * k + t] * x[j * k + t];
                expected[j * m + i] = (float)s;
            }
        Close(expected, y, 1e-5);
    }

    [Fact]
    public void SoftMax_rows_match_reference()
    {
        var a = CpuGraph.Random(7 * 4, 3).Select(v => v * 10).ToArray();
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.SoftMax(g.Input(a, 7, 4)));
        var expected = new float[a.Length];
        for (var r = 0; r < 4; r++)
        {
            var row = a.Skip(r * 7).Take(7).ToArray();
            var max = row.Max();
            var e = row.Select(v => Math.Exp(v - max)).ToArray();
            for (var i = 0; i < 7; i++) expected[r * 7 + i] = (float)(e[i] / e.Sum());
        }
        Close(expected, y, 1e-6);
        for (var r = 0; r < 4; r++) Assert.Equal(1.0, y.Skip(r * 7).Take(7).Sum(), 5);
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(7, 1, 1)]
    [InlineData(8, 4, 1)]
    [InlineData(3, 1, 2)]
    public void Conv1d_via_im2col_matches_reference(int kernel, int stride, int dilation)
    {
        const int cin = 3, cout = 4, len = 29;
        var x = CpuGraph.Random(cin * len, 4);              // ggml {len, cin} = PyTorch [cin, len]
        var w = CpuGraph.Random(cout * cin * kernel, 5);    // PyTorch [cout, cin, k] = ggml {k, cin, cout}
        using var g = new CpuGraph();
        var xt = g.Input(x, len, cin);
        var wt = g.Input(w, kernel, cin, cout);
        var cols = g.Ctx.Im2Col1d(wt, xt, stride, 0, dilation);                     // {cin*k, outLen}
        var y = g.Run(g.Ctx.MulMat(g.Ctx.Reshape(wt, kernel * cin, cout), cols));   // {cout, outLen}
        var outLen = (len - dilation * (kernel - 1) - 1) / stride + 1;
        var expected = new float[cout * outLen];
        for (var t = 0; t < outLen; t++)
            for (var o = 0; o < cout; o++)
            {
                double s = 0;
                for (var c = 0; c < cin; c++)
                    for (var j = 0; j < kernel; j++)
                        s += w[(o * cin + c) * kernel + j] * x[c * len + t * stride + j * dilation];
                expected[t * cout + o] = (float)s;
            }
        Close(expected, y, 1e-5);
    }

    [Fact]
    public void TransposedConv1d_via_col2im_matches_reference()
    {
        const int cin = 3, cout = 2, len = 6, stride = 4, kernel = 8;
        var x = CpuGraph.Random(cin * len, 6);              // PyTorch [cin, len]
        var w = CpuGraph.Random(cin * cout * kernel, 7);    // PyTorch [cin, cout, k]
        // columns[(o*k + j), t] = sum_c w[c, o, j] * x[c, t]: weight as ggml {cin, cout*k} = PyTorch [cout*k, cin]
        var wT = new float[w.Length];
        for (var c = 0; c < cin; c++)
            for (var oj = 0; oj < cout * kernel; oj++) wT[oj * cin + c] = w[c * cout * kernel + oj];
        var xT = new float[x.Length]; // ggml {cin, len}
        for (var c = 0; c < cin; c++)
            for (var t = 0; t < len; t++) xT[t * cin + c] = x[c * len + t];
        using var g = new CpuGraph();
        var cols = g.Ctx.MulMat(g.Input(wT, cin, cout * kernel), g.Input(xT, cin, len));
        var y = g.Run(g.Ctx.Col2Im1d(cols, stride, cout, 0));  // {fullLen, cout}
        var full = (len - 1) * stride + kernel;
        var expected = new float[cout * full];
        for (var c = 0; c < cin; c++)
            for (var o = 0; o < cout; o++)
                for (var t = 0; t < len; t++)
                    for (var j = 0; j < kernel; j++)
                        expected[o * full + t * stride + j] += w[(c * cout + o) * kernel + j] * x[c * len + t];
        Close(expected, y, 1e-5);
    }

    [Fact]
    public void Elu_and_argmax_and_get_rows()
    {
        float[] a = [-2f, -0.5f, 0f, 0.5f, 3f, 1f];
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.Elu(g.Input(a, 6)));
        Close(a.Select(v => v > 0 ? v : (float)(Math.Exp(v) - 1)).ToArray(), y, 1e-6);

        using var g2 = new CpuGraph();
        var idx = g2.Run(g2.Ctx.Argmax(g2.Input([1f, 5f, 2f, 9f, 0f, 3f], 3, 2)));
        Assert.Equal([1f, 0f], idx);

        using var g3 = new CpuGraph();
        var rows = g3.Run(g3.Ctx.GetRows(g3.Input([10f, 11f, 20f, 21f, 30f, 31f], 2, 3), g3.IntInput([2, 0, 2], 3)));
        Assert.Equal([30f, 31f, 10f, 11f, 30f, 31f], rows);
    }

    [Fact]
    public void Shifted_view_of_a_channels_first_signal_is_contiguous_and_exact()
    {
        // {channels=2, frames=5}: frames 1..3 are a contiguous block (the basis of our frame-shifted convolutions)
        var x = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        using var g = new CpuGraph();
        var v = g.Ctx.SliceRows(g.Input(x, 2, 5), 1, 3);
        Assert.True(v.IsContiguous);
        Assert.Equal([2f, 3, 4, 5, 6, 7], g.Run(g.Ctx.Cont(v)));
    }
}
