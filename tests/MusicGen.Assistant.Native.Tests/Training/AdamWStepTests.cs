using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests.Training;

/// <summary>ggml's AdamW op against the decoupled-weight-decay update written out (PyTorch's AdamW).</summary>
public class AdamWStepTests
{
    [Fact]
    public void Two_steps_match_the_formula()
    {
        float[] w0 = [0.5f, -1.5f, 2f], g1 = [0.1f, -0.3f, 0.02f], g2 = [-0.2f, 0.05f, 0.4f];
        const float lr = 0.01f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f;
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var store = new TensorStore(backend, 8);
        var w = store.Context.NewTensor(GgmlType.F32, 3).Named("w");
        var g = store.Context.NewTensor(GgmlType.F32, 3).Named("g");
        var m = store.Context.NewTensor(GgmlType.F32, 3).Named("m");
        var v = store.Context.NewTensor(GgmlType.F32, 3).Named("v");
        store.Allocate();
        store.Clear();
        w.SetData<float>(w0);
        Autograd.MarkParameter(w);
        using var executor = new GraphExecutor(backend);
        double[] ew = [.. w0.Select(x => (double)x)], em = new double[3], ev = new double[3];
        var t = 0;
        foreach (var grad in new[] { g1, g2 })
        {
            t++;
            g.SetData<float>(grad);
            using var ctx = new GgmlContext(16);
            var p = ctx.NewInput("adamw_params", GgmlType.F32, 7);
            var graph = ctx.NewGraph().Expand(ctx.OptStepAdamW(w, g, m, v, p));
            executor.Allocate(graph);
            p.SetData<float>([lr, b1, b2, eps, wd, 1 / (1 - MathF.Pow(b1, t)), 1 / (1 - MathF.Pow(b2, t))]);
            executor.Compute(graph);
            for (var i = 0; i < 3; i++)
            {
                em[i] = b1 * em[i] + (1 - b1) * grad[i];
                ev[i] = b2 * ev[i] + (1 - b2) * grad[i] * grad[i];
                var mh = em[i] / (1 - Math.Pow(b1, t));
                var vh = ev[i] / (1 - Math.Pow(b2, t));
                ew[i] = ew[i] * (1 - lr * wd) - lr * mh / (Math.Sqrt(vh) + eps);
            }
        }
        var actual = w.ToFloatArray();
        for (var i = 0; i < 3; i++) Assert.Equal(ew[i], actual[i], 5);
    }
}
