using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>A forward graph living in a <see cref="GgmlContext"/> (which owns its memory).</summary>
public sealed unsafe class ComputeGraph
{
    private static long _lastId;

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
}
