using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Owns one ggml context holding tensor descriptions (no data: memory comes from a backend buffer or the graph
/// allocator) and one graph of the same capacity. Every op validates its operands in C# first, because a failed
/// GGML_ASSERT would abort the whole process.
/// </summary>
public sealed unsafe partial class GgmlContext : IDisposable
{
    private readonly ContextHandle _handle;
    private readonly long _capacityBytes;
    private readonly long _tensorOverhead;
    private readonly long _graphBytes;
    private ComputeGraph? _graph;

    /// <param name="maxTensors">Most tensors (weights, inputs, intermediates, views) this context will hold.</param>
    /// <param name="gradients">
    /// A training context: its graph can take a backward pass (<see cref="ComputeGraph.BuildBackward"/>) and it is
    /// <see cref="Differentiable"/>: ops without a ggml backward are built from ops that have one.
    /// </param>
    public GgmlContext(int maxTensors, bool gradients = false)
    {
        if (maxTensors < 1) throw new ArgumentOutOfRangeException(nameof(maxTensors));
        GgmlRuntime.EnsureInitialized();
        MaxTensors = maxTensors;
        Differentiable = gradients;
        // a backward graph also lists tensors of other contexts (weights, gradient accumulators): room for as many again
        GraphSize = gradients ? 2 * maxTensors : maxTensors;
        _tensorOverhead = (long)GgmlCore.ggml_tensor_overhead();
        var graphBytes = (long)GgmlCore.ggml_graph_overhead_custom((nuint)GraphSize, gradients);
        _graphBytes = graphBytes;
        _capacityBytes = maxTensors * _tensorOverhead + graphBytes + 4096;
        _handle = new ContextHandle(GgmlCore.ggml_init(new GgmlInitParams { MemSize = (nuint)_capacityBytes, NoAlloc = 1 }));
    }

    public int MaxTensors { get; }

    /// <summary>Nodes (and, separately, leaves) the context's graph can hold.</summary>
    public int GraphSize { get; }

    /// <summary>
    /// Whether this is a training context: Tanh, Sigmoid, GELU, LayerNorm and ELU are then composed of ops ggml can
    /// differentiate (GgmlContext.Differentiable.cs) and our custom CPU kernels are not used.
    /// </summary>
    public bool Differentiable { get; }

    /// <summary>Tensors this context can still create.</summary>
    public long FreeTensorSlots
    {
        get
        {
            var usedByTensors = (long)GgmlCore.ggml_used_mem(Pointer) - (_graph is null ? 0 : _graphBytes + 64);
            return MaxTensors - usedByTensors / _tensorOverhead - 1;
        }
    }
    internal nint Pointer => _handle.Pointer;
    internal ContextHandle Handle => _handle;

    /// <summary>A new graph that can hold every tensor of this context.</summary>
    public ComputeGraph NewGraph()
    {
        if (_graph is not null) throw new GgmlException("this context already has its graph (one graph per context)");
        EnsureRoom(0);
        var g = GgmlCore.ggml_new_graph_custom(Pointer, (nuint)GraphSize, Differentiable);
        if (g == 0) throw new GgmlException("ggml could not create a graph");
        return _graph = new ComputeGraph(this, g);
    }

    public Tensor NewTensor(GgmlType type, params long[] ne)
    {
        if (ne.Length is < 1 or > 4) throw new GgmlException($"a tensor has 1 to 4 dimensions, not {ne.Length}");
        foreach (var n in ne)
            if (n < 1) throw new GgmlException($"tensor dimensions must be positive: [{string.Join(", ", ne)}]");
        if (ne[0] % GgmlTypeSizes.BlockSize(type) != 0)
            throw new GgmlException($"ne[0]={ne[0]} is not a multiple of the {type} block size {GgmlTypeSizes.BlockSize(type)}");
        EnsureRoom(1);
        fixed (long* p = ne) return new Tensor(GgmlCore.ggml_new_tensor(Pointer, (int)type, ne.Length, p));
    }

    /// <summary>A tensor filled by the caller before compute, named for diagnostics.</summary>
    public Tensor NewInput(string name, GgmlType type, params long[] ne)
    {
        var t = NewTensor(type, ne).Named(name);
        GgmlCore.ggml_set_input(t.Ptr);
        return t;
    }

    /// <summary>Marks a tensor as a graph output so the allocator does not reuse its memory.</summary>
    public Tensor MarkOutput(Tensor t)
    {
        GgmlCore.ggml_set_output(t.Ptr);
        return t;
    }

    /// <summary>All tensors created in this context, in creation order.</summary>
    public IEnumerable<Tensor> Tensors
    {
        get
        {
            var list = new List<Tensor>();
            for (var t = GgmlCore.ggml_get_first_tensor(Pointer); t != null; t = GgmlCore.ggml_get_next_tensor(Pointer, t))
                list.Add(new Tensor(t));
            return list;
        }
    }

    // ggml_new_object aborts when the context is full; refuse before that happens.
    private void EnsureRoom(int tensors)
    {
        // the graph has its own share of the context; tensors may use only theirs
        var usedByTensors = (long)GgmlCore.ggml_used_mem(Pointer) - (_graph is null ? 0 : _graphBytes + 64);
        if (usedByTensors + (tensors + 1) * _tensorOverhead > MaxTensors * _tensorOverhead)
            throw new GgmlContextFullException(MaxTensors);
    }

    public void Dispose() => _handle.Dispose();
}
