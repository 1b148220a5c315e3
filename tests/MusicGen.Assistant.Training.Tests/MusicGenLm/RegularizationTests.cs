using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.MusicGenLm;

namespace MusicGen.Assistant.Training.Tests.MusicGenLm;

/// <summary>The representation regularization against values worked out by hand, and its gradient against finite differences.</summary>
public class RegularizationTests
{
    // three samples of two 2-d audio states each, and their pooled text vectors
    private static readonly float[] Audio = [1, 0, 0, 0, /**/ 0, 1, 0.4f, 0.5f, /**/ 1, 1, 0, 0.2f];
    private static readonly double[][] Text = [[1, 0, 0], [1, 0, 0], [0, 1, 0]];

    private static double Graph(float[] audio, Pooling pooling, double lambda)
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var ctx = new GgmlContext(256, gradients: true);
        var a = ctx.NewInput("audio", GgmlType.F32, 2, 2, 3);
        var st = ctx.NewInput("st", GgmlType.F32, 3, 3);
        var off = ctx.NewInput("off", GgmlType.F32, 3, 3);
        var rr = ctx.MarkOutput(RepresentationRegularization.Build(ctx, a, st, off, new RegularizationSettings(true, lambda, pooling)));
        var g = ctx.NewGraph().Expand(rr);
        using var executor = new GraphExecutor(backend, 1024);
        executor.Allocate(g);
        a.SetData<float>(audio);
        st.SetData<float>(RepresentationRegularization.CosineMatrix(Text).Select(x => (float)x).ToArray());
        off.SetData<float>(RepresentationRegularization.OffDiagonal(3));
        executor.Compute(g);
        return rr.ToFloatArray()[0];
    }

    // Text cosines: S(0,1) = 1, S(0,2) = S(1,2) = 0. With λ = 3 the mean over the 6 ordered off-diagonal pairs of
    // symmetric matrices is λ·2/6 = 1 times the sum over the 3 unordered pairs of (Sᵗ − Sᵃ)².

    [Fact]
    public void Max_pooled_term_equals_the_hand_computed_value()
    {
        // max pools: a0 = (1, 0), a1 = (0.4, 1), a2 = (1, 1).
        // cos(a0,a1)² = 0.16/1.16, so (1 − cos)² = 1 − 2·0.4/√1.16 + 0.16/1.16 = 0.395149;
        // cos(a0,a2)² = 1/2; cos(a1,a2)² = 1.4²/(1.16·2) = 0.844828. Sum 1.739977.
        Assert.Equal(1.739977, Graph(Audio, Pooling.Max, 3.0), 5);
        Assert.Equal(1.739977 / 3, Graph(Audio, Pooling.Max, 1.0), 5);
    }

    [Fact]
    public void Mean_pooled_term_equals_the_hand_computed_value()
    {
        // mean pools: a0 = (0.5, 0), a1 = (0.2, 0.75), a2 = (0.5, 0.6).
        // cos(a0,a1) = 0.2/√0.6025 → (1 − cos)² = 0.551064; cos(a0,a2)² = 0.25/0.61 = 0.409836;
        // cos(a1,a2)² = 0.55²/(0.6025·0.61) = 0.823074. Sum 1.783974.
        Assert.Equal(1.783974, Graph(Audio, Pooling.Mean, 3.0), 5);
    }

    [Fact]
    public void Host_reference_agrees_with_the_hand_computed_value()
    {
        var audio = Enumerable.Range(0, 3).Select(i => RepresentationRegularization.Pool(Audio.AsSpan(i * 4, 4), 2, 2, Pooling.Max)).ToList();
        var host = RepresentationRegularization.Value(RepresentationRegularization.CosineMatrix(Text), RepresentationRegularization.CosineMatrix(audio), 3, 3.0);
        Assert.Equal(1.739977, host, 5);
    }

    [Theory]
    [InlineData(Pooling.Max)]
    [InlineData(Pooling.Mean)]
    public void Gradient_equals_finite_differences(Pooling pooling)
    {
        // distinct values so the max of each row is unique (its gradient is then defined)
        float[] x = [0.9f, -0.2f, 0.3f, 0.1f, -0.4f, 1.1f, 0.2f, 0.6f, 1.3f, 0.8f, -0.1f, 1.0f];
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var store = new TensorStore(backend, 4);
        var p = store.Context.NewTensor(GgmlType.F32, 2, 2, 3).Named("audio");
        var acc = store.Context.NewTensor(GgmlType.F32, 2, 2, 3).Named("acc");
        var seed = store.Context.NewTensor(GgmlType.F32, 1).Named("seed");
        store.Allocate();
        acc.Fill(0);
        seed.SetData<float>([1f]);
        Autograd.MarkParameter(p);
        using var executor = new GraphExecutor(backend, 2048);
        double Run(float[] values, bool backward)
        {
            p.SetData<float>(values);
            using var ctx = new GgmlContext(512, gradients: true);
            var st = ctx.NewInput("st", GgmlType.F32, 3, 3);
            var off = ctx.NewInput("off", GgmlType.F32, 3, 3);
            var rr = ctx.MarkOutput(RepresentationRegularization.Build(ctx, p, st, off, new RegularizationSettings(true, 3.0, pooling)));
            var g = ctx.NewGraph().Expand(rr);
            if (backward)
            {
                Autograd.MarkLoss(rr);
                g.BuildBackward(new Dictionary<Tensor, Tensor> { [p] = acc, [rr] = seed });
            }
            executor.Allocate(g);
            st.SetData<float>(RepresentationRegularization.CosineMatrix(Text).Select(v => (float)v).ToArray());
            off.SetData<float>(RepresentationRegularization.OffDiagonal(3));
            executor.Compute(g);
            return rr.ToFloatArray()[0];
        }
        Run(x, backward: true);
        var grad = acc.ToFloatArray();
        const float h = 1e-3f;
        for (var i = 0; i < x.Length; i++)
        {
            var (plus, minus) = ((float[])x.Clone(), (float[])x.Clone());
            plus[i] += h;
            minus[i] -= h;
            var fd = (Run(plus, false) - Run(minus, false)) / (2 * h);
            Assert.True(Math.Abs(grad[i] - fd) <= 2e-3 + 2e-2 * Math.Abs(fd), $"dRR/dx[{i}]: autograd {grad[i]}, finite differences {fd}");
        }
    }
}
