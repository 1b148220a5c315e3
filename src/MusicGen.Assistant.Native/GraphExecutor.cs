using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Allocates and computes graphs on a backend through ggml's scheduler (which also splits a graph between a GPU and
/// the CPU for ops the GPU lacks). Its compute memory grows to the largest graph seen and is reused afterwards.
/// </summary>
public sealed unsafe class GraphExecutor : IDisposable
{
    private readonly SchedulerHandle _sched;
    private readonly ComputeBackend? _cpuFallback;
    private OpProfiler? _profiler;
    private GCHandle _self;
    private long _plannedGraph; // ComputeGraph.Id of the graph the allocator's current plan was made for

    public GraphExecutor(ComputeBackend backend, int maxGraphNodes = 65536)
    {
        Backend = backend;
        if (!backend.IsCpu) _cpuFallback = ComputeBackend.Create(BackendKind.Cpu, backend.Threads > 0 ? backend.Threads : null);
        var backends = _cpuFallback is null ? stackalloc nint[] { backend.Pointer } : stackalloc nint[] { backend.Pointer, _cpuFallback.Pointer };
        fixed (nint* p = backends)
            _sched = new SchedulerHandle(GgmlBackendApi.ggml_backend_sched_new(p, null, backends.Length, (nuint)Math.Max(maxGraphNodes, 2048), false, true), backend.Handle);
        MaxGraphNodes = maxGraphNodes;
    }

    public ComputeBackend Backend { get; }
    public int MaxGraphNodes { get; }

    /// <summary>Reserves compute memory for the largest graph expected, so later graphs of that size do not reallocate.</summary>
    public void Reserve(ComputeGraph graph)
    {
        CheckSize(graph);
        if (!GgmlBackendApi.ggml_backend_sched_reserve(_sched.Pointer, graph.Pointer))
            throw new GgmlException($"could not reserve compute memory on {Backend.Name} for a graph of {graph.NodeCount} nodes (out of memory?)");
        _plannedGraph = graph.Id;
    }

    /// <summary>Gives every intermediate tensor of the graph memory; set the input tensors after this and before Compute.</summary>
    /// <remarks>
    /// ggml's allocator keeps its last plan for any graph with the same node and leaf counts and tensor sizes, without
    /// looking at which tensors are outputs: a graph that marks as output what an earlier, same-shaped graph let be
    /// overwritten (hidden states wanted after a run without them) would read clobbered values. A graph other than
    /// the one planned last is therefore planned afresh (a reserve pass; the memory only ever grows).
    /// </remarks>
    public void Allocate(ComputeGraph graph)
    {
        CheckSize(graph);
        if (graph.Id != _plannedGraph) Reserve(graph);
        GgmlBackendApi.ggml_backend_sched_reset(_sched.Pointer);
        if (!GgmlBackendApi.ggml_backend_sched_alloc_graph(_sched.Pointer, graph.Pointer))
            throw new GgmlException($"could not allocate compute memory on {Backend.Name} for a graph of {graph.NodeCount} nodes (out of memory?)");
    }

    /// <summary>
    /// When set, every node is computed on its own and timed into the profiler (much slower: for finding hot spots).
    /// </summary>
    public OpProfiler? Profiler
    {
        get => _profiler;
        set
        {
            _profiler = value;
            if (value is null)
            {
                GgmlBackendApi.ggml_backend_sched_set_eval_callback(_sched.Pointer, null, 0);
                if (_self.IsAllocated) _self.Free();
                return;
            }
            if (!_self.IsAllocated) _self = GCHandle.Alloc(this, GCHandleType.Weak); // weak: the callback must not keep the executor alive
            GgmlBackendApi.ggml_backend_sched_set_eval_callback(_sched.Pointer, &OnNode, GCHandle.ToIntPtr(_self));
        }
    }

    // ask = 1: "do you want this node's result?" (always yes, so each node runs alone); ask = 0: it has run.
    [UnmanagedCallersOnly]
    private static byte OnNode(GgmlTensorStruct* node, byte ask, nint self)
    {
        if (ask != 0) return 1;
        if (GCHandle.FromIntPtr(self).Target is GraphExecutor { _profiler: { } p }) p.Record(node);
        return 1;
    }

    public void Compute(ComputeGraph graph)
    {
        Backend.Governor?.BeforeGraph();
        _profiler?.Start();
        var status = GgmlBackendApi.ggml_backend_sched_graph_compute(_sched.Pointer, graph.Pointer);
        if (status != 0)
            throw new GgmlException($"graph compute on {Backend.Name} failed: {Marshal.PtrToStringUTF8(GgmlCore.ggml_status_to_string(status))}");
        GgmlBackendApi.ggml_backend_sched_synchronize(_sched.Pointer);
    }

    /// <summary>Bytes of compute memory held on the main backend.</summary>
    public long ComputeBufferBytes => (long)GgmlBackendApi.ggml_backend_sched_get_buffer_size(_sched.Pointer, Backend.Pointer);

    /// <summary>How many pieces the last graph was split into (1 when one backend ran everything).</summary>
    public int SplitCount => GgmlBackendApi.ggml_backend_sched_get_n_splits(_sched.Pointer);

    private void CheckSize(ComputeGraph graph)
    {
        if (graph.NodeCount > MaxGraphNodes)
            throw new GgmlException($"graph has {graph.NodeCount} nodes, more than this executor's {MaxGraphNodes}");
    }

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
        _sched.Dispose();
        _cpuFallback?.Dispose();
    }
}
