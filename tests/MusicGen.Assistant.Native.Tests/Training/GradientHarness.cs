using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests.Training;

/// <summary>
/// Evaluates L(x) = Σ f(x) ⊙ w for a graph function f on the CPU (one thread): the loss, and with a backward pass the
/// analytic dL/dx from ggml's autograd; and dL/dx by central finite differences of the same forward graph.
/// </summary>
internal static class GradientHarness
{
    public delegate Tensor Function(GgmlContext ctx, Tensor x);

    // one backend and scheduler for every evaluation (creating them costs more than a tiny graph)
    private static readonly Lock Gate = new();
    private static readonly ComputeBackend Backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
    private static readonly GraphExecutor Executor = new(Backend, 4096);

    public static (double Loss, float[]? Gradient) Evaluate(Function f, float[] x, long[] shape, float[] w, bool backward, bool training = true)
    {
        lock (Gate) return EvaluateLocked(f, x, shape, w, backward, training);
    }

    private static (double Loss, float[]? Gradient) EvaluateLocked(Function f, float[] x, long[] shape, float[] w, bool backward, bool training)
    {
        var backend = Backend;
        using var store = new TensorStore(backend, 8);
        var xt = store.Context.NewTensor(GgmlType.F32, shape).Named("x");
        var acc = store.Context.NewTensor(GgmlType.F32, shape).Named("x_grad");
        var seed = store.Context.NewTensor(GgmlType.F32, 1).Named("seed");
        store.Allocate();
        xt.SetData<float>(x);
        acc.Fill(0);
        seed.SetData<float>([1f]);
        Autograd.MarkParameter(xt);
        using var ctx = new GgmlContext(2048, gradients: training);
        var wt = ctx.NewInput("w", GgmlType.F32, shape);
        var loss = ctx.MarkOutput(ctx.Sum(ctx.Mul(f(ctx, xt), wt)));
        var g = ctx.NewGraph().Expand(loss);
        if (backward)
        {
            Autograd.MarkLoss(loss);
            g.BuildBackward(new Dictionary<Tensor, Tensor> { [xt] = acc, [loss] = seed });
        }
        Executor.Allocate(g);
        wt.SetData<float>(w);
        Executor.Compute(g);
        return (loss.ToFloatArray()[0], backward ? acc.ToFloatArray() : null);
    }

    /// <summary>Asserts the analytic gradient equals central differences with step h within atol + rtol·|fd|.</summary>
    public static void Check(Function f, float[] x, long[] shape, double h = 1e-2, double atol = 2e-3, double rtol = 2e-3, ulong seed = 1)
    {
        var w = Weights(x.Length, seed);
        var (_, grad) = Evaluate(f, x, shape, w, backward: true);
        for (var i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone();
            var minus = (float[])x.Clone();
            plus[i] += (float)h;
            minus[i] -= (float)h;
            var fd = (Evaluate(f, plus, shape, w, false).Loss - Evaluate(f, minus, shape, w, false).Loss) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(grad![i] - fd) <= atol + rtol * Math.Abs(fd),
                $"dL/dx[{i}] at x = {x[i]}: autograd {grad[i]}, finite differences {fd}");
        }
    }

    /// <summary>Fixed pseudo-random weights in [0.5, 1.5) · ±1 (so no gradient entry vanishes by accident).</summary>
    public static float[] Weights(int n, ulong seed)
    {
        var s = seed * 0x9E3779B97F4A7C15UL + 1;
        return Enumerable.Range(0, n).Select(_ =>
        {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            var u = (s >> 11) * (1.0 / (1UL << 53));
            return (float)((u < 0.5 ? -1 : 1) * (0.5 + 2 * Math.Abs(u - 0.5)));
        }).ToArray();
    }
}
