using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>One parameter's optimizer slots: its gradient accumulator, AdamW moments and how many updates it has had.</summary>
public sealed class ParameterSlot(TrainableParameter parameter, Tensor gradient, Tensor m, Tensor v)
{
    public TrainableParameter Parameter { get; } = parameter;
    public Tensor Gradient { get; } = gradient;
    public Tensor M { get; } = m;
    public Tensor V { get; } = v;

    /// <summary>AdamW steps applied to this parameter (its bias correction, as PyTorch keeps state["step"] per parameter).</summary>
    public long Updates { get; internal set; }

    /// <summary>Whether a micro-batch of the current step differentiated it (parameters no batch used are left alone, as PyTorch skips grad None).</summary>
    internal bool Touched { get; set; }
}

/// <summary>
/// The optimizer's own backend memory: a gradient accumulator, m and v per parameter (F32, the parameter's shape), and
/// the loss seed. Gradients live in a store of their own so zeroing them never touches the moments.
/// </summary>
public sealed class OptimizerState : IDisposable
{
    private readonly TensorStore _gradients;
    private readonly TensorStore _moments;

    public OptimizerState(ComputeBackend backend, IReadOnlyList<TrainableParameter> parameters)
    {
        if (parameters.Count == 0) throw new ArgumentException("nothing to train: no trainable parameters");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
            if (!names.Add(p.Name)) throw new ArgumentException($"two trainable parameters are named '{p.Name}'");
        _gradients = new TensorStore(backend, parameters.Count + 2);
        _moments = new TensorStore(backend, 2 * parameters.Count + 2);
        try
        {
            var slots = new List<ParameterSlot>();
            for (var i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                Autograd.MarkParameter(p.Tensor);
                slots.Add(new ParameterSlot(p,
                    _gradients.Context.NewTensor(GgmlType.F32, p.Tensor.Shape).Named($"grad-{i}"),
                    _moments.Context.NewTensor(GgmlType.F32, p.Tensor.Shape).Named($"adam_m-{i}"),
                    _moments.Context.NewTensor(GgmlType.F32, p.Tensor.Shape).Named($"adam_v-{i}")));
            }
            Seed = _gradients.Context.NewTensor(GgmlType.F32, 1).Named("loss_seed");
            _gradients.Allocate();
            _moments.Allocate();
            _moments.Clear();
            Slots = slots;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<ParameterSlot> Slots { get; }

    /// <summary>dL/dloss every backward pass starts from: 1/k for k accumulated micro-batches gives their mean gradient.</summary>
    public Tensor Seed { get; }

    /// <summary>Zeroes every gradient and sets the seed.</summary>
    public void ZeroGradients(float seed)
    {
        _gradients.Clear();
        Seed.SetData<float>([seed]);
        foreach (var s in Slots) s.Touched = false;
    }

    /// <summary>Accumulators by parameter tensor, with the seed for <paramref name="loss"/>: what a backward pass takes.</summary>
    public Dictionary<Tensor, Tensor> Accumulators(Tensor loss)
    {
        var map = Slots.ToDictionary(s => s.Parameter.Tensor, s => s.Gradient);
        map[loss] = Seed;
        return map;
    }

    public long TotalElements => Slots.Sum(s => s.Parameter.ElementCount);

    public void Dispose()
    {
        _gradients.Dispose();
        _moments.Dispose();
    }
}
