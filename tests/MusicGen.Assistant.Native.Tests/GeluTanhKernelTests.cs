using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>The one-pass gelu_fast kernel against the formula in double precision and against the composed ggml ops it replaces.</summary>
public class GeluTanhKernelTests
{
    private static double Reference(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    [Fact]
    public void Values_match_the_formula_over_the_whole_range()
    {
        var xs = Enumerable.Range(0, 200_001).Select(i => -20f + i * 0.0002f)
            .Concat([0f, -0f, 1e-30f, -1e-20f, 1e-7f, 50f, -50f, 1e4f, -1e4f]).ToArray();
        var y = new float[xs.Length];
        GeluTanhKernel.Apply(xs, y);
        for (var i = 0; i < xs.Length; i++)
        {
            var expected = Reference(xs[i]);
            // a few float roundings of the cubic, the exponential and the division, relative to |x| (the scale of y)
            Assert.True(Math.Abs(y[i] - expected) <= 4e-7 * Math.Max(Math.Abs(xs[i]), 1e-30) + 1e-37, $"gelu_fast({xs[i]:R}) = {y[i]:R}, expected {expected:R}");
            Assert.Equal(GeluTanhKernel.Gelu(xs[i]), y[i]); // vector lanes and the scalar tail agree
        }
        Assert.True(float.IsNaN(GeluTanhKernel.Gelu(float.NaN)));
    }

    [Fact]
    public void The_kernel_op_matches_the_composed_float_ops()
    {
        var data = CpuGraph.Random(3 * 1001, 17).Select(v => v * 8).ToArray();
        float[] Compute(Func<GgmlContext, Tensor, Tensor> gelu)
        {
            using var g = new CpuGraph();
            return g.Run(gelu(g.Ctx, g.Input(data, 1001, 3)));
        }
        var kernel = Compute((ctx, x) => ctx.GeluTanhKernel(x));
        var reference = Compute((ctx, x) => ctx.GeluTanhComposite(x));
        for (var i = 0; i < kernel.Length; i++)
            Assert.True(Math.Abs(kernel[i] - reference[i]) <= 1e-6 * Math.Max(1, Math.Abs(reference[i])), $"{i}: {kernel[i]} vs {reference[i]}");
    }
}
