using System.Diagnostics;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>What one optimizer step did.</summary>
public sealed record StepResult(long Step, double Loss, IReadOnlyDictionary<string, double> Metrics, double GradientNorm, double LearningRate, bool Clipped, TimeSpan Elapsed);

/// <summary>The training loss graph failed numerically: a non-finite loss or gradient at a step.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// Trains a task's parameters on ggml: per micro-batch a training graph (forward, then ggml's backward into the
/// gradient accumulators), then the global gradient norm, clipping, and one AdamW update per parameter with
/// ggml_opt_step_adamw, the op ggml-opt itself runs. ggml-opt's own context is not used because it has one weight
/// decay for all parameters, no clipping and no access to its moments (which a checkpoint must hold); the update here
/// is the same op, given per-group hyper-parameters (decay or none, per-parameter bias correction) by the trainer.
/// </summary>
public sealed class Trainer<TItem> : IDisposable
{
    private readonly ITrainingTask<TItem> _task;
    private GraphExecutor? _executor;

    public Trainer(ITrainingTask<TItem> task, OptimizerSettings settings, ulong seed)
    {
        _task = task;
        Settings = settings.Validate();
        Seed = seed;
        State = new OptimizerState(task.Backend, task.Parameters);
    }

    public OptimizerSettings Settings { get; }
    public ulong Seed { get; }
    public OptimizerState State { get; }
    public string TaskName => _task.Name;

    /// <summary>A trained parameter by name.</summary>
    public TrainableParameter Parameters(string name) => State.Slots.Select(s => s.Parameter).FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"no trainable parameter named '{name}'", nameof(name));

    /// <summary>Optimizer steps done (the index of the next step).</summary>
    public long Step { get; internal set; }

    /// <summary>
    /// One optimizer step over <paramref name="microBatches"/> (gradient accumulation: their mean gradient) at the rate
    /// the schedule gives step <see cref="Step"/> of <paramref name="totalSteps"/>.
    /// </summary>
    public StepResult TrainStep(IReadOnlyList<IReadOnlyList<TItem>> microBatches, long totalSteps)
    {
        if (microBatches.Count == 0) throw new ArgumentException("a step needs at least one micro-batch");
        var clock = Stopwatch.StartNew();
        State.ZeroGradients(1f / microBatches.Count);
        var (loss, metrics) = (0.0, new Dictionary<string, double>());
        for (var i = 0; i < microBatches.Count; i++)
        {
            var (l, m) = Run(microBatches[i], $"step/{Step}/micro/{i}", backward: true);
            if (!double.IsFinite(l)) throw new TrainingDivergedException($"{_task.Name}: the loss of step {Step} (micro-batch {i}) is {l}");
            loss += l / microBatches.Count;
            foreach (var (k, v) in m) metrics[k] = metrics.GetValueOrDefault(k) + v / microBatches.Count;
        }
        var norm = GradientNorm();
        if (!double.IsFinite(norm)) throw new TrainingDivergedException($"{_task.Name}: the gradient norm at step {Step} is {norm}");
        var clip = Settings.MaxGradNorm > 0 && norm > Settings.MaxGradNorm ? (float)(Settings.MaxGradNorm / norm) : 1f;
        var rate = Settings.RateAt(Step, totalSteps);
        Update(rate, clip);
        Step++;
        return new StepResult(Step, loss, metrics, norm, rate, clip < 1, clock.Elapsed);
    }

    /// <summary>The mean loss (and metrics) over held-out batches: forward passes of the training graph, no update.</summary>
    public (double Loss, IReadOnlyDictionary<string, double> Metrics) Evaluate(IReadOnlyList<IReadOnlyList<TItem>> batches)
    {
        if (batches.Count == 0) throw new ArgumentException("no evaluation batches");
        double loss = 0, weight = 0;
        var metrics = new Dictionary<string, double>();
        for (var i = 0; i < batches.Count; i++)
        {
            // evaluation draws from its own stream: the same every time, whatever the training step
            var (l, m, w) = RunWeighted(batches[i], $"eval/{i}", backward: false);
            loss += l * w;
            weight += w;
            foreach (var (k, v) in m) metrics[k] = metrics.GetValueOrDefault(k) + v * w;
        }
        return (loss / weight, metrics.ToDictionary(p => p.Key, p => p.Value / weight));
    }

    private (double Loss, Dictionary<string, double> Metrics) Run(IReadOnlyList<TItem> batch, string purpose, bool backward)
    {
        var (l, m, _) = RunWeighted(batch, purpose, backward);
        return (l, m);
    }

    // the context's size: the task's estimate at first, then whatever a larger graph showed it needs
    private int _contextTensors;

    private (double Loss, Dictionary<string, double> Metrics, double Weight) RunWeighted(IReadOnlyList<TItem> batch, string purpose, bool backward)
    {
        _contextTensors = Math.Max(_contextTensors, checked(12 * _task.ForwardTensors(batch) + 64));
        while (true)
        {
            // the micro-batch's random stream is derived from the seed and its purpose, so a rebuild draws the same numbers
            using var ctx = new GgmlContext(_contextTensors, gradients: true);
            var result = TryRunWeighted(ctx, batch, SeededRandom.For(Seed, purpose), backward, out var needed);
            if (result is { } done) return done;
            _contextTensors = checked((int)Math.Min(int.MaxValue / 2, needed + needed / 8));
        }
    }

    // null (and the tensors needed) when the estimate was short of what the graph and its backward pass need
    private (double, Dictionary<string, double>, double)? TryRunWeighted(GgmlContext ctx, IReadOnlyList<TItem> batch, SeededRandom random, bool backward,
        out long needed)
    {
        needed = 0;
        TrainingLoss built;
        try { built = _task.BuildLoss(ctx, batch, random, training: backward); }
        catch (GgmlContextFullException)
        {
            needed = 2L * ctx.MaxTensors; // the forward graph alone did not fit: double until it does
            return null;
        }
        var loss = ctx.MarkOutput(built.Loss);
        var graph = ctx.NewGraph().Expand(loss);
        foreach (var m in built.Metrics.Values) graph.Expand(ctx.MarkOutput(m));
        if (backward && ctx.FreeTensorSlots < graph.BackwardTensorsNeeded)
        {
            needed = ctx.MaxTensors - ctx.FreeTensorSlots + graph.BackwardTensorsNeeded + 64;
            return null;
        }
        if (backward)
        {
            Autograd.MarkLoss(loss);
            var used = graph.BuildBackward(State.Accumulators(loss));
            foreach (var s in State.Slots)
                if (used.Contains(s.Parameter.Tensor)) s.Touched = true;
        }
        var executor = Executor(graph.NodeCount);
        executor.Allocate(graph);
        built.Upload();
        executor.Compute(graph);
        return (loss.ToFloatArray()[0], built.Metrics.ToDictionary(p => p.Key, p => (double)p.Value.ToFloatArray()[0]), built.Weight);
    }

    /// <summary>√(Σ‖g‖²) over every accumulated gradient, computed on the backend.</summary>
    public double GradientNorm()
    {
        var slots = State.Slots;
        using var ctx = new GgmlContext(3 * slots.Count + 8);
        Tensor? total = null;
        foreach (var s in slots)
        {
            var sq = ctx.Sum(ctx.Sqr(s.Gradient));
            total = total is null ? sq : ctx.Add(total.Value, sq);
        }
        var result = ctx.MarkOutput(total!.Value);
        var graph = ctx.NewGraph().Expand(result);
        var executor = Executor(graph.NodeCount);
        executor.Allocate(graph);
        executor.Compute(graph);
        return Math.Sqrt(result.ToFloatArray()[0]);
    }

    // One graph of ggml_opt_step_adamw nodes. Parameters share a hyper-parameter tensor per (decay, updates) group:
    // [α, β1, β2, ε, wd, 1/(1-β1^t), 1/(1-β2^t)] with t the parameter's own update count.
    private void Update(double rate, float clip)
    {
        var slots = State.Slots.Where(s => s.Touched).ToList();
        if (slots.Count == 0) return;
        using var ctx = new GgmlContext(3 * slots.Count + 16);
        var groups = new Dictionary<(bool Decay, long T), Tensor>();
        var graph = ctx.NewGraph();
        foreach (var s in slots)
        {
            var key = (s.Parameter.Decay, s.Updates + 1);
            if (!groups.TryGetValue(key, out var hp))
                groups[key] = hp = ctx.NewInput($"adamw-{(key.Decay ? "decay" : "plain")}-{key.Item2}", GgmlType.F32, 7);
            var g = clip < 1 ? ctx.Scale(s.Gradient, clip) : s.Gradient;
            graph.Expand(ctx.OptStepAdamW(s.Parameter.Tensor, g, s.M, s.V, hp));
        }
        var executor = Executor(graph.NodeCount);
        executor.Allocate(graph);
        var o = Settings;
        foreach (var ((decay, t), hp) in groups)
            hp.SetData<float>([(float)rate, (float)o.Beta1, (float)o.Beta2, (float)o.Epsilon, decay ? (float)o.WeightDecay : 0f,
                (float)(1 / (1 - Math.Pow(o.Beta1, t))), (float)(1 / (1 - Math.Pow(o.Beta2, t)))]);
        executor.Compute(graph);
        foreach (var s in slots) s.Updates++;
    }

    private GraphExecutor Executor(int nodes)
    {
        if (_executor is { } e && e.MaxGraphNodes >= nodes) return e;
        _executor?.Dispose();
        return _executor = new GraphExecutor(_task.Backend, Math.Max(8192, 2 * nodes));
    }

    public void Dispose()
    {
        _executor?.Dispose();
        State.Dispose();
    }
}
