using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>The vectorized erf GELU against a double-precision erf and against ggml's own GELU_ERF op.</summary>
public class GeluErfKernelTests
{
    // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): every term positive, so no cancellation (~1e-15)
    private static double ErfReference(double x)
    {
        var a = Math.Abs(x);
        if (a >= 6) return Math.Sign(x);
        double term = a, sum = a;
        for (var n = 1; term > 1e-18 * sum; n++)
        {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * Math.Exp(-a * a) * sum;
    }

    private static double Ulp(double value) => Math.Max(MathF.BitIncrement((float)Math.Abs(value)) - (float)Math.Abs(value), float.Epsilon);

    [Fact]
    public void Erf_is_within_two_ulps_over_the_whole_range()
    {
        var zs = Enumerable.Range(0, 240_001).Select(i => -6f + i * 0.00005f)
            .Concat([0f, -0f, 1e-30f, -1e-20f, 1e-7f, 0.999999f, 1f, 1.0000001f, 3.999f, 4f, 4.5f, 9f, 1e30f, float.MaxValue, float.MinValue])
            .ToArray();
        foreach (var z in zs)
        {
            var expected = ErfReference(z);
            var got = GeluErfKernel.Erf(z);
            Assert.True(Math.Abs(got - expected) <= 2 * Ulp(expected), $"erf({z:R}) = {got:R}, expected {expected:R}");
            Assert.Equal(float.IsNegative(z), float.IsNegative(got)); // odd, including -0
        }
        Assert.True(float.IsNaN(GeluErfKernel.Erf(float.NaN)));
    }

    [Fact]
    public void Vector_body_and_scalar_tail_give_the_same_values()
    {
        var x = CpuGraph.Random(53, 9).Select(v => v * 9).ToArray();
        var full = new float[x.Length];
        GeluErfKernel.Apply(x, full);
        for (var i = 0; i < x.Length; i++)
            Assert.Equal(0.5f * x[i] * (1f + GeluErfKernel.Erf(x[i] * 0.70710678118654752f)), full[i]);
        for (var n = 1; n < x.Length; n++)
        {
            var part = new float[n];
            GeluErfKernel.Apply(x.AsSpan(0, n), part);
            Assert.Equal(full.Take(n), part);
        }
    }

    [Fact]
    public void Special_values_behave_as_ggmls_formula()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, -30f, 30f, -1e30f];
        var y = new float[x.Length];
        GeluErfKernel.Apply(x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(float.PositiveInfinity, y[1]);
        Assert.True(float.IsNaN(y[2]));                       // -inf · (1 + erf(-inf)) = -inf · 0
        Assert.True(float.IsNegative(y[3]) && y[3] == 0);
        Assert.True(!float.IsNegative(y[4]) && y[4] == 0);
        Assert.True(y[5] == 0 && y[7] == 0);
        Assert.Equal(30f, y[6]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void Graph_op_matches_ggmls_gelu_erf_to_the_rounding_of_its_terms(int threads, bool keepWorkers)
    {
        var x = Enumerable.Range(0, 4099 * 2).Select(i => -12f + i * (24f / 8198)).ToArray(); // an odd row length
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads);
        if (keepWorkers) backend.KeepWorkerThreads();
        Assert.Equal(keepWorkers && threads > 1, backend.KeepsWorkerThreads);
        using var executor = new GraphExecutor(backend, 64);
        using var ctx = new GgmlContext(16);
        var input = ctx.NewInput("x", GgmlType.F32, 4099, 1, 2);
        var ours = ctx.MarkOutput(ctx.GeluErfKernel(input));
        var theirs = ctx.MarkOutput(ctx.GeluErf(input));
        var graph = ctx.NewGraph().Expand(ours).Expand(theirs);
        Assert.Equal(GgmlType.F32, ours.Type);
        Assert.Equal(input.Shape, ours.Shape);
        var direct = new float[x.Length];
        GeluErfKernel.Apply(x, direct);
        for (var round = 0; round < 3; round++) // graphs after the first reuse the kept workers
        {
            executor.Allocate(graph);
            input.SetData<float>(x);
            executor.Compute(graph);
            var a = ours.ToFloatArray();
            var b = theirs.ToFloatArray();
            Assert.Equal(direct, a);
            for (var i = 0; i < x.Length; i++)
            {
                // both round 1 + erf to float: an erf apart by 2 ulps moves y by at most ~|x|·1.2e-7, plus y's own rounding
                var bound = 1.3e-7 * Math.Abs(x[i]) + 2 * Ulp(b[i]);
                Assert.True(Math.Abs(a[i] - b[i]) <= bound, $"GELU({x[i]:R}): kernel {a[i]:R}, ggml {b[i]:R}");
            }
        }
    }

    [Fact]
    public void Refuses_what_it_cannot_compute()
    {
        using var ctx = new GgmlContext(16);
        var half = ctx.NewTensor(GgmlType.F16, 8, 2);
        Assert.Contains("gelu_erf_kernel", Assert.ThrowsAny<Exception>(() => ctx.GeluErfKernel(half)).Message);
        var wide = ctx.NewTensor(GgmlType.F32, 8, 4);
        var strided = ctx.View(wide, [4, 4], [wide.Nb(1)], 0);
        Assert.Contains("gelu_erf_kernel", Assert.ThrowsAny<Exception>(() => ctx.GeluErfKernel(strided)).Message);
    }
}
