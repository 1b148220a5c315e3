using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Tests.Optimization;

/// <summary>One example: input x {In} and target y {Out}.</summary>
internal sealed record ToyItem(float[] X, float[] Y);

/// <summary>
/// A small network trained by the tests: y = W2 · F · GELU(LN(W1·x + b1) ⊙ g) + b2 with W1, b1, g, W2, b2 trainable
/// F32 and F a frozen F16 matrix the gradient must pass through; MSE against a random teacher of the same form (so
/// the target is reachable). Weights start from a seeded draw.
/// </summary>
internal sealed class ToyRegressionTask : ITrainingTask<ToyItem>, IDisposable
{
    public const int In = 6, Hidden = 8, Out = 3;
    private readonly TensorStore _store;
    private readonly Tensor _w1, _b1, _g, _w2, _b2, _frozen;

    public ToyRegressionTask(ComputeBackend backend, ulong seed)
    {
        Backend = backend;
        _store = new TensorStore(backend, 8);
        var c = _store.Context;
        _w1 = c.NewTensor(GgmlType.F32, In, Hidden).Named("w1");
        _b1 = c.NewTensor(GgmlType.F32, Hidden).Named("b1");
        _g = c.NewTensor(GgmlType.F32, Hidden).Named("g");
        _frozen = c.NewTensor(GgmlType.F16, Hidden, Hidden).Named("frozen");
        _w2 = c.NewTensor(GgmlType.F32, Hidden, Out).Named("w2");
        _b2 = c.NewTensor(GgmlType.F32, Out).Named("b2");
        _store.Allocate();
        var r = new SeededRandom(seed);
        float[] Draw(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(r.Gaussian() * scale)).ToArray();
        _w1.SetData<float>(Draw(In * Hidden, 1 / Math.Sqrt(In)));
        _b1.SetData<float>(Draw(Hidden, 0.1));
        _g.SetData<float>(Enumerable.Repeat(1f, Hidden).ToArray());
        _w2.SetData<float>(Draw(Hidden * Out, 1 / Math.Sqrt(Hidden)));
        _b2.SetData<float>(new float[Out]);
        var frozen = new SeededRandom(99); // the frozen matrix is the same in every task
        _frozen.SetData<Half>(Enumerable.Range(0, Hidden * Hidden).Select(i => (Half)(i % (Hidden + 1) == 0 ? 1.0 : frozen.Gaussian() * 0.2)).ToArray());
        Parameters = [TrainableParameter.Of("w1", _w1), TrainableParameter.Of("b1.bias", _b1), TrainableParameter.Of("g", _g),
            TrainableParameter.Of("w2", _w2), TrainableParameter.Of("b2.bias", _b2)];
    }

    public string Name => "toy";
    public ComputeBackend Backend { get; }
    public IReadOnlyList<TrainableParameter> Parameters { get; }

    public int ForwardTensors(IReadOnlyList<ToyItem> batch) => 128;

    public Tensor Output(GgmlContext ctx, Tensor x)
    {
        var h = ctx.Add(ctx.MulMat(_w1, x), _b1);
        h = ctx.GeluErf(ctx.Mul(ctx.Norm(h, 1e-5f), _g));
        h = ctx.MulMat(_frozen, h);
        return ctx.Add(ctx.MulMat(_w2, h), _b2);
    }

    public TrainingLoss BuildLoss(GgmlContext ctx, IReadOnlyList<ToyItem> batch, SeededRandom random, bool training)
    {
        var x = ctx.NewInput("x", GgmlType.F32, In, batch.Count);
        var y = ctx.NewInput("y", GgmlType.F32, Out, batch.Count);
        var diff = ctx.Sub(Output(ctx, x), y);
        var loss = ctx.Scale(ctx.Sum(ctx.Sqr(diff)), 1f / (Out * batch.Count));
        return new TrainingLoss(loss, new Dictionary<string, Tensor> { ["abs_sum"] = ctx.Sum(ctx.Abs(diff)) }, () =>
        {
            x.SetData<float>(batch.SelectMany(b => b.X).ToArray());
            y.SetData<float>(batch.SelectMany(b => b.Y).ToArray());
        });
    }

    public float[] Read(string name) => Parameters.Single(p => p.Name == name).Tensor.ToFloatArray();

    /// <summary>Items whose targets another (teacher) task computes from seeded inputs.</summary>
    public static List<ToyItem> Data(ComputeBackend backend, int count, ulong seed)
    {
        using var teacher = new ToyRegressionTask(backend, seed + 1000);
        var r = new SeededRandom(seed);
        var xs = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, In).Select(_ => (float)r.Gaussian()).ToArray()).ToList();
        using var ctx = new GgmlContext(128);
        var x = ctx.NewInput("x", GgmlType.F32, In, count);
        var y = ctx.MarkOutput(teacher.Output(ctx, x));
        var g = ctx.NewGraph().Expand(y);
        using var executor = new GraphExecutor(backend, 1024);
        executor.Allocate(g);
        x.SetData<float>(xs.SelectMany(v => v).ToArray());
        executor.Compute(g);
        var ys = y.ToFloatArray();
        return xs.Select((v, i) => new ToyItem(v, ys[(i * Out)..((i + 1) * Out)])).ToList();
    }

    public void Dispose() => _store.Dispose();
}
