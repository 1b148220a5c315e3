using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>
/// A tensor the optimizer updates: F32 in backend memory, named as the checkpoint stores it, with or without decoupled
/// weight decay. M2UGen's misc.add_weight_decay (timm's rule): no decay on 1-D parameters and on biases.
/// </summary>
public sealed record TrainableParameter(string Name, Tensor Tensor, bool Decay)
{
    /// <summary>Decay by the rule: matrices decay; vectors (norm weights, gates, biases) and anything named *bias do not.</summary>
    public static TrainableParameter Of(string name, Tensor tensor) =>
        new(name, tensor, tensor.Rank >= 2 && !name.EndsWith("bias", StringComparison.Ordinal));

    public long ElementCount => Tensor.ElementCount;
}

/// <summary>The loss of one micro-batch as a graph: the scalar to minimise, values to report, and the input upload.</summary>
/// <param name="Loss">One F32 value; its gradient is taken.</param>
/// <param name="Metrics">Named scalars reported beside the loss (e.g. "ce", "mse", "rr"); not differentiated.</param>
/// <param name="Upload">Fills the graph's inputs; called after the graph is allocated and before it is computed.</param>
/// <param name="Weight">How much this micro-batch counts in the step's mean (e.g. its supervised tokens); 1 by default.</param>
public sealed record TrainingLoss(Tensor Loss, IReadOnlyDictionary<string, Tensor> Metrics, Action Upload, double Weight = 1);

/// <summary>
/// What a <see cref="Trainer{TItem}"/> trains: the parameters, the backend they live on, and how a micro-batch of items
/// becomes a loss graph (the same graph code as inference, in a training context).
/// </summary>
public interface ITrainingTask<TItem>
{
    string Name { get; }
    ComputeBackend Backend { get; }
    IReadOnlyList<TrainableParameter> Parameters { get; }

    /// <summary>
    /// About how many tensors the forward graph of <paramref name="batch"/> needs: the trainer's first context size (it
    /// adds room for the backward pass, and builds again, larger, when the graph shows the estimate was short).
    /// </summary>
    int ForwardTensors(IReadOnlyList<TItem> batch);

    /// <summary>
    /// Builds the loss of a micro-batch. <paramref name="random"/> is this micro-batch's own stream (condition dropout,
    /// masking): derived from the run's seed, the step and the micro-batch index, so a resumed run draws the same.
    /// </summary>
    TrainingLoss BuildLoss(GgmlContext ctx, IReadOnlyList<TItem> batch, Procedural.SeededRandom random, bool training);
}
