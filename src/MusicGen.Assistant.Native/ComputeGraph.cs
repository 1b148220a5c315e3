using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>A forward graph living in a <see cref="GgmlContext"/> (which owns its memory), plus its backward pass when trained.</summary>
public sealed unsafe class ComputeGraph
{
    private static long _lastId;

    // ggml_compute_backward creates at most about this many tensors per forward node (mul_mat with broadcasting: out_prod,
    // view, repeat_back, transpose, out_prod and two accumulating adds)
    private const int BackwardTensorsPerNode = 10;

    internal ComputeGraph(GgmlContext context, nint pointer)
    {
        Context = context;
        Pointer = pointer;
        Id = Interlocked.Increment(ref _lastId);
    }

    /// <summary>Unique per graph object in this process (addresses of freed graphs are reused; ids are not).</summary>
    internal long Id { get; }

    public GgmlContext Context { get; }
    internal nint Pointer { get; }

    /// <summary>Adds <paramref name="t"/> and everything it depends on.</summary>
    public ComputeGraph Expand(Tensor t)
    {
        GgmlCore.ggml_build_forward_expand(Pointer, t.Ptr);
        return this;
    }

    public int NodeCount => GgmlCore.ggml_graph_n_nodes(Pointer);

    /// <summary>Tensors <see cref="BuildBackward"/> may create for this graph (its room check): size a training context by it.</summary>
    public long BackwardTensorsNeeded => (long)BackwardTensorsPerNode * NodeCount + 16;

    /// <summary>
    /// Appends the backward pass of the graph's loss (<see cref="Autograd.MarkLoss"/>) with respect to its parameters
    /// (<see cref="Autograd.MarkParameter"/>). <paramref name="accumulators"/> maps nodes (every parameter, and the loss)
    /// to persistent F32 tensors of their shape: a parameter's gradient is added into its accumulator (so several
    /// passes accumulate), and the loss's accumulator holds the seed dL/dloss the pass starts from. Entries for tensors
    /// that are not nodes of this graph are skipped (a parameter this batch does not use); the parameters that are
    /// nodes are returned. Everything is checked first: ops without a backward, room in the context and the graph,
    /// accumulator shapes, a seed for the loss.
    /// </summary>
    public IReadOnlySet<Tensor> BuildBackward(IReadOnlyDictionary<Tensor, Tensor> accumulators)
    {
        if (!Context.Differentiable) throw new GgmlException("this graph's context was not created for training (new GgmlContext(..., gradients: true))");
        var n = NodeCount;
        if (n == 0) throw new GgmlException("the graph is empty");
        Autograd.CheckBackward(Pointer);
        if (Context.FreeTensorSlots < BackwardTensorsNeeded)
            throw new GgmlException($"the training context has room for {Context.FreeTensorSlots} more tensors; a backward pass over {n} nodes may need {BackwardTensorsNeeded} (create it with a larger capacity)");
        if ((long)n * (BackwardTensorsPerNode + 1) > Context.GraphSize)
            throw new GgmlException($"the graph holds {Context.GraphSize} nodes; forward and backward over {n} forward nodes may need {n * (BackwardTensorsPerNode + 1)}");
        var accs = new GgmlTensorStruct*[n];
        var found = new HashSet<Tensor>();
        for (var i = 0; i < n; i++)
        {
            var node = new Tensor(GgmlCore.ggml_graph_node(Pointer, i));
            if (!accumulators.TryGetValue(node, out var acc))
            {
                if (node.IsLoss) throw new GgmlException($"the loss '{node.Name}' has no accumulator holding the seed of the backward pass");
                continue;
            }
            if (acc.Type != GgmlType.F32 || !acc.Shape.SequenceEqual(node.Shape) || !acc.IsContiguous)
                throw new GgmlException($"gradient accumulator '{acc.Name}' {acc.ShapeText} does not match '{node.Name}' {node.ShapeText} (F32, same shape, contiguous)");
            if (!acc.IsAllocated) throw new GgmlException($"gradient accumulator '{acc.Name}' has no memory (allocate its store first)");
            accs[i] = acc.Ptr;
            if (node.IsParameter) found.Add(node);
        }
        fixed (GgmlTensorStruct** p = accs) GgmlAutogradApi.ggml_build_backward_expand(Context.Pointer, Pointer, p);
        return found;
    }

    /// <summary>The gradient of a node after <see cref="BuildBackward"/> (null when the loss does not depend on it).</summary>
    public Tensor? Gradient(Tensor node)
    {
        var g = GgmlAutogradApi.ggml_graph_get_grad(Pointer, node.Ptr);
        return g == null ? null : new Tensor(g);
    }
}
