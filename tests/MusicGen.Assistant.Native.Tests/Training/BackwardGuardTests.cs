using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests.Training;

/// <summary>Graphs ggml could not differentiate are refused with a .NET exception before ggml would abort.</summary>
public class BackwardGuardTests
{
    private sealed class Setup : IDisposable
    {
        public Setup(int n = 4)
        {
            Backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            Store = new TensorStore(Backend, 8);
            X = Store.Context.NewTensor(GgmlType.F32, n).Named("x");
            Acc = Store.Context.NewTensor(GgmlType.F32, n).Named("acc");
            Seed = Store.Context.NewTensor(GgmlType.F32, 1).Named("seed");
            Half = Store.Context.NewTensor(GgmlType.F16, n).Named("half");
            Store.Allocate();
            Ctx = new GgmlContext(512, gradients: true);
        }

        public ComputeBackend Backend { get; }
        public TensorStore Store { get; }
        public Tensor X { get; }
        public Tensor Acc { get; }
        public Tensor Seed { get; }
        public Tensor Half { get; }
        public GgmlContext Ctx { get; }

        public Dictionary<Tensor, Tensor> Accumulators(Tensor loss) => new() { [X] = Acc, [loss] = Seed };

        public void Dispose()
        {
            Ctx.Dispose();
            Store.Dispose();
            Backend.Dispose();
        }
    }

    [Fact]
    public void An_op_without_backward_is_named()
    {
        using var s = new Setup();
        Autograd.MarkParameter(s.X);
        var loss = s.Ctx.Sum(s.Ctx.Concat(s.X, s.X, 0));
        Autograd.MarkLoss(loss);
        var g = s.Ctx.NewGraph().Expand(loss);
        var e = Assert.Throws<GgmlException>(() => g.BuildBackward(s.Accumulators(loss)));
        Assert.Contains("CONCAT", e.Message);
    }

    [Fact]
    public void A_product_through_a_repacked_weight_is_refused_naming_it()
    {
        // ggml's scheduler finds no backend for the OUT_PROD of a repacked weight and aborts the process
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        long[] shape = [256, 512];
        if (!CpuRepack.Takes(backend, GgmlType.Q4_0, shape)) return; // ggml repacks nothing on this CPU: no such graph can exist here
        using var store = new TensorStore(backend, 8);
        var weight = store.NewMatrix(GgmlType.Q4_0, shape).Named("blk.0.ffn_up.weight");
        var x = store.Context.NewTensor(GgmlType.F32, 256, 3).Named("x");
        store.Allocate();
        Assert.True(weight.IsRepacked);
        using var ctx = new GgmlContext(512, gradients: true);
        Autograd.MarkParameter(x);
        var loss = ctx.Sum(ctx.MulMat(weight, x));
        Autograd.MarkLoss(loss);
        var g = ctx.NewGraph().Expand(loss);
        var e = Assert.Throws<GgmlException>(() => g.BuildBackward(new Dictionary<Tensor, Tensor>()));
        Assert.Contains("'blk.0.ffn_up.weight'", e.Message);
        Assert.Contains("repacked", e.Message);
    }

    [Fact]
    public void A_broadcast_sub_operand_needing_a_gradient_is_refused()
    {
        using var s = new Setup();
        Autograd.MarkParameter(s.X);
        var x2 = s.Ctx.Reshape(s.X, 2, 2);
        var loss = s.Ctx.Sum(s.Ctx.Sub(x2, s.Ctx.SumRows(x2))); // ggml would abort in ggml_compute_backward
        Autograd.MarkLoss(loss);
        var g = s.Ctx.NewGraph().Expand(loss);
        Assert.Contains("broadcast", Assert.Throws<GgmlException>(() => g.BuildBackward(s.Accumulators(loss))).Message);
    }

    [Fact]
    public void A_tensor_feeding_the_loss_through_a_permutation_and_another_op_is_refused()
    {
        using var s = new Setup();
        Autograd.MarkParameter(s.X);
        var x2 = s.Ctx.Reshape(s.Ctx.Sqr(s.X), 2, 2);
        // ggml would add the second gradient contribution into the permuted view and abort in the CPU add
        var loss = s.Ctx.Add(s.Ctx.Sum(s.Ctx.Cont(s.Ctx.Permute(x2, 1, 0, 2, 3))), s.Ctx.Sum(s.Ctx.Sqr(x2)));
        Autograd.MarkLoss(loss);
        var g = s.Ctx.NewGraph().Expand(loss);
        Assert.Contains("PERMUTE", Assert.Throws<GgmlException>(() => g.BuildBackward(s.Accumulators(loss))).Message);
    }

    [Fact]
    public void A_non_differentiable_op_off_the_loss_path_is_allowed()
    {
        using var s = new Setup();
        Autograd.MarkParameter(s.X);
        var loss = s.Ctx.Sum(s.Ctx.Sqr(s.X));
        Autograd.MarkLoss(loss);
        var side = s.Ctx.MarkOutput(s.Ctx.Concat(s.X, s.X, 0)); // depends on x but the loss does not depend on it
        var g = s.Ctx.NewGraph().Expand(loss).Expand(side);
        var found = g.BuildBackward(s.Accumulators(loss));
        Assert.Contains(s.X, found);
    }

    [Fact]
    public void Missing_parameter_loss_seed_and_wrong_types_are_refused()
    {
        using var s = new Setup();
        var e1 = Assert.Throws<GgmlException>(() => Autograd.MarkParameter(s.Half));
        Assert.Contains("F16", e1.Message);
        var loss = s.Ctx.Sum(s.Ctx.Sqr(s.X));
        Autograd.MarkLoss(loss);
        var g = s.Ctx.NewGraph().Expand(loss);
        Assert.Contains("no trainable parameter", Assert.Throws<GgmlException>(() => g.BuildBackward(s.Accumulators(loss))).Message);

        using var s2 = new Setup();
        Autograd.MarkParameter(s2.X);
        var loss2 = s2.Ctx.Sum(s2.Ctx.Sqr(s2.X));
        Autograd.MarkLoss(loss2);
        var g2 = s2.Ctx.NewGraph().Expand(loss2);
        Assert.Contains("seed", Assert.Throws<GgmlException>(() => g2.BuildBackward(new Dictionary<Tensor, Tensor> { [s2.X] = s2.Acc })).Message);
        Assert.Throws<GgmlException>(() => Autograd.MarkLoss(s2.Ctx.Sqr(s2.X)));
    }

    [Fact]
    public void An_inference_context_cannot_build_a_backward_pass()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var ctx = new GgmlContext(64);
        var x = ctx.NewInput("x", GgmlType.F32, 4);
        var g = ctx.NewGraph().Expand(ctx.Sum(x));
        Assert.Contains("gradients: true", Assert.Throws<GgmlException>(() => g.BuildBackward(new Dictionary<Tensor, Tensor>())).Message);
    }

    [Fact]
    public void Gradients_accumulate_over_passes_with_the_seed_as_scale()
    {
        // L = Σ x², dL/dx = 2x; two passes with seed 0.5 add up to 2x
        using var s = new Setup();
        s.X.SetData<float>([1f, -2f, 3f, 0.5f]);
        s.Acc.Fill(0);
        s.Seed.SetData<float>([0.5f]);
        Autograd.MarkParameter(s.X);
        using var executor = new GraphExecutor(s.Backend);
        for (var pass = 0; pass < 2; pass++)
        {
            using var ctx = new GgmlContext(512, gradients: true);
            var loss = ctx.Sum(ctx.Sqr(s.X));
            Autograd.MarkLoss(loss);
            var g = ctx.NewGraph().Expand(loss);
            g.BuildBackward(new Dictionary<Tensor, Tensor> { [s.X] = s.Acc, [loss] = s.Seed });
            executor.Allocate(g);
            executor.Compute(g);
        }
        Assert.Equal([2f, -4f, 6f, 1f], s.Acc.ToFloatArray());
    }
}
