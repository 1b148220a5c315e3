using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>
/// Q8_0 weights packed for the integer product kernel (<see cref="Int8Products"/>) give the products ggml gives for the
/// same Q8_0 weight, on generated shapes (every column tail, 3-D and strided activations, one and two threads), and
/// the packed memory behaves as ggml's repacked memory does (written whole, never read back or viewed).
/// </summary>
public class Int8ProductTests
{
    private static bool Available => Int8Products.Enabled;

    /// <summary>Generated shapes: inner sizes of 1..40 blocks, 1..6 groups of rows, and every tail of the 4-column tile.</summary>
    public static TheoryData<int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, int>();
        var rng = new Random(20261206);
        foreach (var threads in new[] { 1, 2 })
            for (var i = 0; i < 6; i++)
                data.Add(32 * rng.Next(1, 41), 8 * rng.Next(1, 7), 1 + rng.Next(0, 140) + (i % 4), 1 + i % 2, threads);
        data.Add(1024, 40, 130, 1, 2); // an encoder's width, chunk and tile tails together
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Packed_products_match_ggmls_q8_0_product(int k, int n, int columns, int batch, int threads)
    {
        if (!Available) return; // the kernel needs AVX-VNNI; ggml's own product is used without it
        var rng = new Random(k * 31 + n * 7 + columns);
        var weights = Q8Weights(rng, k, n);
        var x = Enumerable.Range(0, k * columns * batch).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (rng.Next(8) == 0 ? 6f : 1f)).ToArray();

        var packed = Product(weights, k, n, x, [k, columns, batch], threads, pack: true, out var wasPacked);
        var plain = Product(weights, k, n, x, [k, columns, batch], threads, pack: false, out _);
        Assert.True(wasPacked);

        // ggml rounds each activation block's scale to f16 (relative 2^-11), the packed kernel keeps it in f32
        Assert.InRange(ErrorMetrics.RelativeRms(packed, plain), 0, 2e-3);
        // and both are a Q8_0 product of the exact one
        var exact = Reference(Quantizer.Dequantize(weights, (long)k * n, GgmlType.Q8_0), x, k, n, columns * batch);
        Assert.InRange(ErrorMetrics.RelativeRms(packed, exact), 0, 1e-2);
        Assert.True(ErrorMetrics.RelativeRms(packed, exact) <= ErrorMetrics.RelativeRms(plain, exact) * 1.25 + 1e-6,
            $"packed {ErrorMetrics.RelativeRms(packed, exact)} vs ggml {ErrorMetrics.RelativeRms(plain, exact)} from the exact product");
    }

    [Fact]
    public void A_bias_is_added_by_the_kernel_and_a_wrong_one_is_refused()
    {
        if (!Available) return;
        const int k = 64, n = 24, columns = 7;
        var rng = new Random(8);
        var weights = Q8Weights(rng, k, n);
        var x = Enumerable.Range(0, k * columns).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, n).Select(i => 10f + i).ToArray();
        var plain = Product(weights, k, n, x, [k, columns], 2, pack: true, out _);
        using var g = new CpuGraph();
        using var store = new TensorStore(g.Backend, 4, int8Products: true);
        var w = store.NewMatrix(GgmlType.Q8_0, [k, n]);
        store.Allocate();
        w.SetData<byte>(weights);
        var input = g.Input(x, k, columns);
        var b = g.Input(bias, n);
        var e = Assert.Throws<GgmlException>(() => g.Ctx.Int8Product(w, input, g.Ctx.NewTensor(GgmlType.F32, n - 1)));
        Assert.Contains($"is not {n} F32 values", e.Message);
        var y = g.Run(g.Ctx.Int8Product(w, input, b));
        for (var c = 0; c < columns; c++)
            for (var r = 0; r < n; r++)
                Assert.Equal(plain[c * n + r] + bias[r], y[c * n + r], 4);
    }

    [Fact]
    public void Activations_with_strided_columns_are_read_in_place()
    {
        if (!Available) return;
        const int k = 96, n = 16, columns = 9, pitch = 128;
        var rng = new Random(3);
        var weights = Q8Weights(rng, k, n);
        var wide = Enumerable.Range(0, pitch * columns).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        using var g = new CpuGraph();
        using var store = new TensorStore(g.Backend, 4, int8Products: true);
        var w = store.NewMatrix(GgmlType.Q8_0, [k, n]);
        store.Allocate();
        w.SetData<byte>(weights);
        var all = g.Input(wide, pitch, columns);
        var view = g.Ctx.View(all, [k, columns], [all.Nb(1)], 0);
        var y = g.Run(g.Ctx.MulMat(w, view));
        var dense = Enumerable.Range(0, columns).SelectMany(c => wide.Skip(c * pitch).Take(k)).ToArray();
        Assert.InRange(ErrorMetrics.RelativeRms(y, Reference(Quantizer.Dequantize(weights, (long)k * n, GgmlType.Q8_0), dense, k, n, columns)), 0, 1e-2);
    }

    [Theory]
    [InlineData(32, 3, 2, 40, 16, 1)]
    [InlineData(64, 2, 2, 33, 24, 2)]
    [InlineData(32, 5, 3, 101, 8, 2)]
    public void A_conv_over_channels_first_frames_matches_im2col_and_ggmls_product(int channels, int taps, int stride, int length, int outputs, int batch)
    {
        if (!Available) return;
        var rng = new Random(channels + taps * 10 + length);
        var inner = channels * taps;
        var weights = Q8Weights(rng, inner, outputs);
        var frames = Enumerable.Range(0, channels * length * batch).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        using var g = new CpuGraph();
        using var store = new TensorStore(g.Backend, 4, int8Products: true);
        var packed = store.NewMatrix(GgmlType.Q8_0, [inner, outputs]);
        store.Allocate();
        packed.SetData<byte>(weights);
        var y = g.Run(g.Ctx.Int8ConvFrames(packed, g.Input(frames, channels, length, batch), taps, stride));

        // the same conv as im2col (taps fastest, as the kernel is stored) and an exact product
        var count = (length - taps) / stride + 1;
        var w = Quantizer.Dequantize(weights, (long)inner * outputs, GgmlType.Q8_0);
        var columns = new float[inner * count * batch];
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < count; t++)
                for (var i = 0; i < channels; i++)
                    for (var q = 0; q < taps; q++)
                        columns[(b * count + t) * inner + i * taps + q] = frames[(b * length + t * stride + q) * channels + i];
        Assert.Equal(outputs * count * batch, y.Length);
        Assert.InRange(ErrorMetrics.RelativeRms(y, Reference(w, columns, inner, outputs, count * batch)), 0, 1e-2);
    }

    [Theory]
    [InlineData(32, 4, 16, 8, 50, 1, 1)]   // HuBERT's positional conv in small: taps = 2·padding, one frame too many
    [InlineData(64, 2, 32, 0, 70, 2, 2)]
    [InlineData(16, 2, 4, 2, 3, 1, 2)]     // fewer frames than taps: mostly padding
    public void A_grouped_conv_over_time_first_frames_matches_the_exact_conv(int channels, int groups, int taps, int padding, int length, int batch, int threads)
    {
        if (!Available) return;
        var rng = new Random(channels * 7 + taps + length);
        int width = channels / groups, inner = taps * width;
        var weights = Q8Weights(rng, inner, channels);
        var x = Enumerable.Range(0, length * channels * batch).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(); // time-first
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        using var store = new TensorStore(backend, 2, int8Products: true);
        var w = store.NewMatrix(GgmlType.Q8_0, [inner, channels]);
        store.Allocate();
        w.SetData<byte>(weights);
        using var ctx = new GgmlContext(16);
        var input = ctx.NewInput("x", GgmlType.F32, length, channels, batch);
        var y = ctx.MarkOutput(ctx.Int8GroupedConv(w, input, taps, groups, padding));
        var graph = ctx.NewGraph().Expand(y);
        using var executor = new GraphExecutor(backend);
        executor.Allocate(graph);
        input.SetData<float>(x);
        executor.Compute(graph);
        executor.Compute(graph); // twice: the work counter starts over
        var frames = length + 2 * padding - taps + 1;
        Assert.Equal([channels, frames, batch], new[] { y.Ne0, y.Ne1, y.Ne2 });

        var kernel = Quantizer.Dequantize(weights, (long)inner * channels, GgmlType.Q8_0); // row o: input i of its group at tap q = i·taps + q
        var exact = new float[channels * frames * batch];
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < frames; t++)
                for (var o = 0; o < channels; o++)
                {
                    var g = o / width;
                    var sum = 0.0;
                    for (var i = 0; i < width; i++)
                        for (var q = 0; q < taps; q++)
                        {
                            var s = t + q - padding;
                            if (s >= 0 && s < length) sum += (double)kernel[o * inner + i * taps + q] * x[(b * channels + g * width + i) * length + s];
                        }
                    exact[(b * frames + t) * channels + o] = (float)sum;
                }
        Assert.InRange(ErrorMetrics.RelativeRms(y.ToFloatArray(), exact), 0, 1e-2);
    }

    [Fact]
    public void A_conv_whose_kernel_does_not_match_the_frames_is_refused()
    {
        if (!Available) return;
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 1);
        using var store = new TensorStore(backend, 2, int8Products: true);
        var w = store.NewMatrix(GgmlType.Q8_0, [96, 8]);
        store.Allocate();
        using var ctx = new GgmlContext(8);
        var frames = ctx.NewInput("frames", GgmlType.F32, 32, 10);
        var e = Assert.Throws<GgmlException>(() => ctx.Int8ConvFrames(w, frames, 2, 1));
        Assert.Contains("is not 2 taps of the 32 channels", e.Message);
        e = Assert.Throws<GgmlException>(() => ctx.Int8ConvFrames(w, ctx.NewInput("short", GgmlType.F32, 32, 2), 3, 1));
        Assert.Contains("2 frames are fewer than the kernel's 3 taps", e.Message);
    }

    [Fact]
    public void A_non_finite_activation_makes_its_column_non_finite_and_leaves_the_others()
    {
        if (!Available) return;
        const int k = 64, n = 8, columns = 6;
        var rng = new Random(5);
        var weights = Q8Weights(rng, k, n);
        var x = Enumerable.Range(0, k * columns).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        x[2 * k + 40] = float.NaN;
        x[4 * k + 3] = float.PositiveInfinity;
        var y = Product(weights, k, n, x, [k, columns], 1, pack: true, out _);
        for (var c = 0; c < columns; c++)
            for (var r = 0; r < n; r++)
                Assert.Equal(c is 2 or 4, !float.IsFinite(y[c * n + r]));
    }

    [Fact]
    public void Packed_weights_are_written_whole_and_never_read_back_viewed_or_differentiated()
    {
        if (!Available) return;
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 1);
        using var store = new TensorStore(backend, 4, int8Products: true);
        var w = store.NewMatrix(GgmlType.Q8_0, [64, 16]).Named("blk.0.up.weight");
        var odd = store.NewMatrix(GgmlType.Q8_0, [64, 12]);   // not whole groups of 8 rows: ggml's layout
        var f16 = store.NewMatrix(GgmlType.F16, [64, 16]);    // only Q8_0 is packed
        store.Allocate();
        Assert.Equal(1, store.Int8Count);
        Assert.True(w.IsInt8Packed);
        Assert.False(odd.IsInt8Packed);
        Assert.False(f16.IsInt8Packed);
        var bytes = Q8Weights(new Random(1), 64, 16);
        var e = Assert.Throws<GgmlException>(() => w.SetData<byte>(bytes.AsSpan(0, 34)));
        Assert.Contains("cannot write part of tensor 'blk.0.up.weight'", e.Message);
        w.SetData<byte>(bytes);
        e = Assert.Throws<GgmlException>(() => w.GetData<byte>(new byte[bytes.Length]));
        Assert.Contains("stored packed for the integer product kernel", e.Message);

        using var ctx = new GgmlContext(8);
        var x = ctx.NewInput("x", GgmlType.F32, 64, 3);
        e = Assert.Throws<GgmlException>(() => ctx.View(w, [64, 8], [w.Nb(1)], 0));
        Assert.Contains("is packed for the integer product kernel", e.Message);
        using var training = new GgmlContext(8, gradients: true);
        var tx = training.NewInput("x", GgmlType.F32, 64, 3);
        e = Assert.Throws<GgmlException>(() => training.MulMat(w, tx));
        Assert.Contains("has no backward", e.Message);
    }

    [Fact]
    public void A_store_without_int8_products_keeps_ggmls_layout()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 1);
        using var store = new TensorStore(backend, 4);
        var w = store.NewMatrix(GgmlType.Q8_0, [64, 16]);
        store.Allocate();
        Assert.False(w.IsInt8Packed);
        Assert.Equal(0, store.Int8Count);
    }

    private static byte[] Q8Weights(Random rng, int k, int n) =>
        Quantizer.Quantize(Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (rng.Next(16) == 0 ? 4f : 0.5f)).ToArray(), k, GgmlType.Q8_0);

    private static float[] Product(byte[] weights, int k, int n, float[] x, long[] xShape, int threads, bool pack, out bool packed)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        using var store = new TensorStore(backend, 4, repack: false, int8Products: pack);
        var w = store.NewMatrix(GgmlType.Q8_0, [k, n]);
        store.Allocate();
        w.SetData<byte>(weights);
        packed = w.IsInt8Packed;
        using var ctx = new GgmlContext(16);
        var input = ctx.NewInput("x", GgmlType.F32, xShape);
        var y = ctx.MarkOutput(ctx.MulMat(w, input));
        var graph = ctx.NewGraph().Expand(y);
        using var executor = new GraphExecutor(backend);
        executor.Allocate(graph);
        input.SetData<float>(x);
        executor.Compute(graph);
        Assert.Equal([n, xShape[1], xShape.Length > 2 ? xShape[2] : 1, 1], new[] { y.Ne0, y.Ne1, y.Ne2, y.Ne3 });
        return y.ToFloatArray();
    }

    private static float[] Reference(float[] w, float[] x, int k, int n, int columns)
    {
        var y = new float[n * columns];
        for (var c = 0; c < columns; c++)
            for (var r = 0; r < n; r++)
            {
                var s = 0.0;
                for (var i = 0; i < k; i++) s += (double)w[r * k + i] * x[c * k + i];
                y[c * n + r] = (float)s;
            }
        return y;
    }
}
