using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>Our C# CPU kernels (ggml custom ops) against double-precision managed references.</summary>
public class KernelTests
{
    [Fact]
    public void Elu_is_within_a_few_ulps_of_expm1_over_the_whole_range()
    {
        // dense sweep of the negative range plus the edges: tiny, huge, exactly 0, positives
        var xs = Enumerable.Range(0, 200_001).Select(i => -100f + i * 0.0005f)
            .Concat([0f, -0f, -1e-30f, -1e-7f, 1e-7f, 3.5f, 1e30f, -87.5f, -88.7f, float.MinValue]).ToArray();
        var ys = new float[xs.Length];
        Elu.Apply(xs, ys);
        for (var i = 0; i < xs.Length; i++)
        {
            var expected = xs[i] > 0 ? xs[i] : Math.Exp(xs[i]) - 1;         // double: the exact value to ~1e-16
            var err = Math.Abs(ys[i] - expected);
            Assert.True(err <= 2.5e-7 * Math.Max(1e-30, Math.Abs(expected)) || err <= 1e-37 || err <= 6e-8,
                $"ELU({xs[i]:R}) = {ys[i]:R}, expected {expected:R} (error {err:E2})");
        }
    }

    [Fact]
    public void Elu_tail_and_vector_paths_agree()
    {
        // every length up to three vectors: the scalar tail must round like the vector body
        var x = CpuGraph.Random(27, 5).Select(v => v * 8).ToArray();
        var full = new float[x.Length];
        Elu.Apply(x, full);
        for (var n = 1; n < x.Length; n++)
        {
            var part = new float[n];
            Elu.Apply(x.AsSpan(0, n), part);
            Assert.Equal(full.Take(n), part);
        }
    }

    [Theory]
    [InlineData(3, 3, true, 0, 10)]
    [InlineData(4, 2, true, 3, 10)]
    [InlineData(3, 3, true, 0, 2)]   // input shorter than the padding: zero-extended first
    [InlineData(6, 6, true, 0, 1)]
    [InlineData(2, 5, false, 2, 4)]
    public void FramePadding_matches_a_direct_construction(int left, int right, bool reflect, int tail, int length)
    {
        var p = new FramePadding(left, right, reflect, tail);
        // direct construction: transformers' rule (zero-extend when too short, reflect, drop the extension), then the tail
        var extra = reflect && length <= Math.Max(left, right) ? Math.Max(left, right) - length + 1 : 0;
        var extended = Enumerable.Range(0, length).Concat(Enumerable.Repeat(-1, extra)).ToArray();
        var padded = new List<int>();
        for (var j = -left; j < extended.Length + right; j++)
        {
            if (j >= 0 && j < extended.Length) padded.Add(extended[j]);
            else if (!reflect) padded.Add(-1);
            else padded.Add(extended[j < 0 ? -j : 2 * (extended.Length - 1) - j]);
        }
        padded.RemoveRange(left + length + right, extra);
        padded.AddRange(Enumerable.Repeat(-1, tail));
        Assert.Equal(padded.Count, left + length + right + tail);
        Assert.Equal(padded.Select(v => (long)v), Enumerable.Range(0, padded.Count).Select(j => p.SourceFrame(j, length)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PadFrames_pads_channel_columns_and_applies_elu(bool elu)
    {
        const int channels = 11, length = 6;                                  // 11: a vector plus a tail per frame
        var x = CpuGraph.Random(channels * length, 7).Select(v => v * 3).ToArray();
        var padding = new FramePadding(3, 2, true, 1);
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.PadFrames(g.Input(x, channels, length), padding, elu));
        Assert.Equal(channels * (length + padding.Total), y.Length);
        for (var j = 0; j < length + padding.Total; j++)
        {
            var source = padding.SourceFrame(j, length);
            for (var c = 0; c < channels; c++)
            {
                var v = source < 0 ? 0 : x[source * channels + c];
                var expected = elu && v <= 0 ? Math.Exp(v) - 1 : v;
                Assert.True(Math.Abs(y[j * channels + c] - expected) <= 1e-6, $"frame {j} channel {c}: {y[j * channels + c]} vs {expected}");
            }
        }
    }

    [Fact]
    public void PadFrames_rejects_bad_operands_with_clear_messages()
    {
        using var g = new CpuGraph();
        var cube = g.Ctx.NewTensor(GgmlType.F32, 4, 3, 2);
        Assert.Contains("{channels, time} matrix", Assert.Throws<GgmlException>(() => g.Ctx.PadFrames(cube, FramePadding.None, true)).Message);
        var halfs = g.Ctx.NewTensor(GgmlType.F16, 4, 3);
        Assert.Contains("must be F32", Assert.Throws<GgmlException>(() => g.Ctx.PadFrames(halfs, FramePadding.None, true)).Message);
        var ok = g.Ctx.NewTensor(GgmlType.F32, 4, 3);
        Assert.Contains("must not be negative", Assert.Throws<GgmlException>(() => g.Ctx.PadFrames(ok, new FramePadding(-1, 0, false), true)).Message);
    }

    [Fact]
    public void NegativeExp_is_within_a_few_ulps_of_exp()
    {
        var xs = Enumerable.Range(0, 100_001).Select(i => -90f + i * 0.0009f).Concat([0f, -1e-30f, -1e-7f, 2f]).ToArray();
        foreach (var x in xs)
        {
            var expected = Math.Exp(Math.Min(x, 0));
            Assert.True(Math.Abs(NegativeExp.Exp(x) - expected) <= 2.5e-7 * expected + 2e-38, $"exp({x:R}) = {NegativeExp.Exp(x):R}, expected {expected:R}");
            Assert.Equal(NegativeExp.Exp(x), System.Runtime.Intrinsics.Vector256.GetElement(NegativeExp.Exp(System.Runtime.Intrinsics.Vector256.Create(x)), 0));
        }
    }

    [Theory]
    [InlineData(2)]      // ordinary gate values
    [InlineData(40)]     // saturated gates: sigmoid near 0 and 1, tanh near ±1
    public void LstmStep_runs_the_cell_equations_in_place(float scale)
    {
        const int w = 13, steps = 3;                                               // a vector and a tail per thread
        var rec = CpuGraph.Random(4 * w, 11).Select(v => v * scale).ToArray();
        var proj = CpuGraph.Random(4 * w * steps, 12).Select(v => v * scale).ToArray();
        var c0 = CpuGraph.Random(w, 13);
        const int step = 1;
        using var g = new CpuGraph();
        var state = g.Ctx.NewTensor(GgmlType.F32, w, 2 * steps);
        var updated = g.Ctx.LstmStepInPlace(state, g.Input(rec, 4 * w), g.Input(proj, 4 * w, steps), g.Input(c0, w), step);
        var hView = g.Ctx.Cont(g.Ctx.View(updated, [w], [], step * w * 4));
        var cView = g.Ctx.Cont(g.Ctx.View(updated, [w], [], (steps + step) * w * 4));
        var both = g.Ctx.Concat(hView, cView, 0);
        var y = g.Run(both);
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));
        for (var k = 0; k < w; k++)
        {
            double Gate(int gate) => rec[gate * w + k] + proj[step * 4 * w + gate * w + k];
            var c = Sig(Gate(1)) * c0[k] + Sig(Gate(0)) * Math.Tanh(Gate(2));
            var h = Sig(Gate(3)) * Math.Tanh(c);
            Assert.True(Math.Abs(h - y[k]) <= 1e-6, $"h[{k}] = {y[k]}, expected {h}");
            Assert.True(Math.Abs(c - y[w + k]) <= 1e-6 * (1 + Math.Abs(c)), $"c[{k}] = {y[w + k]}, expected {c}");
        }
    }

    [Fact]
    public void LstmStep_rejects_a_step_outside_the_state()
    {
        using var g = new CpuGraph();
        var state = g.Ctx.NewTensor(GgmlType.F32, 4, 6);
        var e = Assert.Throws<GgmlException>(() => g.Ctx.LstmStepInPlace(state, g.Ctx.NewTensor(GgmlType.F32, 16),
            g.Ctx.NewTensor(GgmlType.F32, 16, 3), g.Ctx.NewTensor(GgmlType.F32, 4), 3));
        Assert.Contains("step 3 outside [0, 3)", e.Message);
    }

    [Theory]
    [InlineData(1, 64, 7, 1, 1, false)]    // the last conv to audio: dot products
    [InlineData(3, 10, 3, 1, 2, true)]     // few outputs, dilated, with a skip
    [InlineData(8, 5, 1, 1, 1, true)]      // one vector of outputs
    [InlineData(37, 9, 3, 2, 1, false)]    // 16 + 16 + 5: every output path; strided
    [InlineData(32, 64, 3, 1, 1, true)]    // a residual block's shape
    public void ConvFrames_matches_a_direct_sum(int outChannels, int inChannels, int taps, int step, int dilation, bool withSkip)
    {
        const int frames = 23;                                                 // 5 blocks of 4 frames and a tail of 3 per thread
        var span = (taps - 1) * dilation + 1;
        var length = (frames - 1) * step + span;
        var x = CpuGraph.Random(inChannels * length, 21);
        var w = CpuGraph.Random(outChannels * taps * inChannels, 22);         // W[o, q*in + i] at (q*in + i)*out + o
        var blocks = (outChannels + 15) / 16;
        var blocked = new float[16 * taps * inChannels * blocks];             // {16, taps*in, blocks}, zero past the last output
        for (var o = 0; o < outChannels; o++)
            for (var j = 0; j < taps * inChannels; j++)
                blocked[(o / 16 * taps * inChannels + j) * 16 + o % 16] = w[j * outChannels + o];
        var b = CpuGraph.Random(outChannels, 23);
        var skip = CpuGraph.Random(outChannels * frames, 24);
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.ConvFrames(g.Input(x, inChannels, length), g.Input(blocked, 16, taps * inChannels, blocks), g.Input(b, outChannels),
            taps, step, dilation, withSkip ? g.Input(skip, outChannels, frames) : null));
        Assert.Equal(outChannels * frames, y.Length);
        for (var t = 0; t < frames; t++)
            for (var o = 0; o < outChannels; o++)
            {
                double sum = b[o] + (withSkip ? skip[t * outChannels + o] : 0);
                for (var q = 0; q < taps; q++)
                    for (var i = 0; i < inChannels; i++)
                        sum += w[(q * inChannels + i) * outChannels + o] * x[(t * step + q * dilation) * inChannels + i];
                Assert.True(Math.Abs(y[t * outChannels + o] - sum) <= 1e-5 * (1 + Math.Abs(sum)), $"frame {t} output {o}: {y[t * outChannels + o]} vs {sum}");
            }
    }

    [Fact]
    public void ConvFrames_rejects_a_kernel_of_the_wrong_width()
    {
        using var g = new CpuGraph();
        var e = Assert.Throws<GgmlException>(() => g.Ctx.ConvFrames(g.Ctx.NewTensor(GgmlType.F32, 4, 10), g.Ctx.NewTensor(GgmlType.F32, 16, 13),
            g.Ctx.NewTensor(GgmlType.F32, 8), taps: 3, step: 1, dilation: 1));
        Assert.Contains("must be {16, 3·4, 1} for 8 outputs", e.Message);
    }

    [Fact]
    public void TapSum_adds_shifted_blocks_and_the_bias()
    {
        var z = CpuGraph.Random(2 * 3 * 7, 32);                                     // {taps 2 * out 3, 7}
        var bias = CpuGraph.Random(3, 33);
        using var g = new CpuGraph();
        var y = g.Run(g.Ctx.TapSum(g.Input(z, 6, 7), g.Input(bias, 3), taps: 2, shift: 2, frames: 5));
        for (var t = 0; t < 5; t++)
            for (var o = 0; o < 3; o++)
                Assert.Equal(z[t * 6 + o] + z[(t + 2) * 6 + 3 + o] + bias[o], y[t * 3 + o], 5);
        Assert.Contains("need 8 columns of z, it has 7", Assert.Throws<GgmlException>(() =>
            g.Ctx.TapSum(g.Ctx.NewTensor(GgmlType.F32, 6, 7), g.Ctx.NewTensor(GgmlType.F32, 3), taps: 2, shift: 2, frames: 6)).Message);
    }

    [Fact]
    public void OpProfiler_times_every_node_and_names_our_kernels()
    {
        using var g = new CpuGraph();
        var x = g.Input(CpuGraph.Random(4 * 6, 41), 4, 6);
        var w = g.Input(CpuGraph.Random(4 * 3, 42), 4, 3);
        var y = g.Ctx.PadFrames(g.Ctx.MulMat(w, x), new FramePadding(1, 1, false), elu: true);
        var profiler = new OpProfiler();
        g.Executor.Profiler = profiler;
        g.Run(y);
        g.Executor.Profiler = null;
        Assert.Equal(2, profiler.Nodes);
        Assert.Equal(["CUSTOM elu_pad_frames", "MUL_MAT"], profiler.ByOp.Select(e => e.Op).Order());
        Assert.Contains(profiler.Entries, e => e.Op == "MUL_MAT" && e.Shape == "3x6" && e.SourceType == "F32" && e.Count == 1);
    }
}
