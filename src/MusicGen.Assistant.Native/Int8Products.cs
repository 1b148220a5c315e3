using System.Collections.Concurrent;
using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Q8_0 weights kept in <see cref="Int8Layout"/> for our integer product kernel (<see cref="Int8ProductKernel"/>),
/// which multiplies whole sequences of activations (an encoder's GEMMs) 2–3x faster than ggml's Q8_0 product on CPUs
/// with AVX-VNNI. Like ggml's repacked weights, such a tensor is only ever the weight of a matrix product, written
/// whole and never read back: its memory is a CPU buffer of ours in which each tensor's data points at its packed
/// bytes (more than the Q8_0 bytes ggml would size it by). <c>MGA_INT8=0</c> turns it off.
/// </summary>
public static unsafe class Int8Products
{
    public const string Variable = "MGA_INT8";
    private const long Alignment = 64;
    private static readonly ConcurrentDictionary<nint, bool> Buffers = new();
    private static readonly AsyncLocal<bool> Off = new();

    /// <summary>Whether packed products are used at all: the CPU has the kernel's instructions, <c>MGA_INT8</c> is not
    /// "0" and the caller is not inside <see cref="Suspended"/>.</summary>
    public static bool Enabled => Int8ProductKernel.Supported && !Off.Value &&
                                  Environment.GetEnvironmentVariable(Variable)?.Trim() is not ("0" or "false" or "off");

    /// <summary>Within the returned scope (this async flow only), models load with ggml's layouts, e.g. to compare the two.</summary>
    public static IDisposable Suspended()
    {
        var before = Off.Value;
        Off.Value = true;
        return new Restore(() => Off.Value = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>Whether a weight of this type and shape is packed on <paramref name="backend"/>: Q8_0, 2-D, whole groups of 8 rows.</summary>
    public static bool Takes(ComputeBackend backend, GgmlType type, IReadOnlyList<long> ne) =>
        backend.IsCpu && Enabled && type == GgmlType.Q8_0 && ne.Count >= 2 && ne.Skip(2).All(n => n == 1) && Int8Layout.Fits(ne[0], ne[1]);

    /// <summary>Whether <paramref name="t"/> (or the tensor it views: a view has no buffer until a graph is allocated) lives in packed memory.</summary>
    internal static bool Holds(Tensor t)
    {
        if (Buffers.IsEmpty) return false; // every MulMat and view asks: nothing to look up in a process without packed weights
        var p = t.Ptr->ViewSrc != 0 ? (GgmlTensorStruct*)t.Ptr->ViewSrc : t.Ptr;
        return p->Buffer != 0 && Buffers.ContainsKey(p->Buffer);
    }

    /// <summary>Places every tensor of <paramref name="ctx"/> in one new CPU buffer, each with room for its packed bytes.</summary>
    internal static BufferHandle Allocate(GgmlContext ctx, ComputeBackend backend)
    {
        var tensors = ctx.Tensors.ToList();
        var offsets = new long[tensors.Count];
        long total = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            offsets[i] = total;
            total += (Int8Layout.WeightBytes(tensors[i].Ne0, tensors[i].Ne1) + Alignment - 1) / Alignment * Alignment;
        }
        var buffer = new BufferHandle(GgmlBackendApi.ggml_backend_buft_alloc_buffer(GgmlBackendApi.ggml_backend_cpu_buffer_type(), (nuint)(total + Alignment)),
            $"a packed weight buffer of {total} bytes on {backend.Name} (out of memory?)", backend.Handle);
        try
        {
            var bytes = (byte*)GgmlBackendApi.ggml_backend_buffer_get_base(buffer.Pointer);
            var start = (Alignment - (long)bytes % Alignment) % Alignment;
            for (var i = 0; i < tensors.Count; i++)
            {
                var status = GgmlBackendApi.ggml_backend_tensor_alloc(buffer.Pointer, tensors[i].Ptr, bytes + start + offsets[i]);
                if (status != 0) throw new GgmlException($"ggml could not place tensor '{tensors[i].Name}' in the packed weight buffer (status {status})");
            }
            GgmlBackendApi.ggml_backend_buffer_set_usage(buffer.Pointer, 1); // WEIGHTS
            Buffers[buffer.Pointer] = true;
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Forgets and frees a buffer from <see cref="Allocate"/> (a later buffer may reuse its address).</summary>
    internal static void Release(BufferHandle buffer)
    {
        if (!buffer.IsClosed) Buffers.TryRemove(buffer.Pointer, out _);
        buffer.Dispose();
    }
}
