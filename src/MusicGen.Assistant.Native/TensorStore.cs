using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Tensors with memory of their own on a backend (model weights, persistent state): declare them in <see cref="Context"/>,
/// call <see cref="Allocate"/> once, then fill them with <see cref="Tensor.SetData{T}(ReadOnlySpan{T})"/>. Weights
/// declared with <see cref="NewMatrix"/> go to the CPU's repacked memory when ggml repacks their type and shape
/// (<see cref="CpuRepack"/>), a second buffer of the store.
/// </summary>
public sealed class TensorStore : IDisposable
{
    private BufferHandle? _buffer;
    private BufferHandle? _repackedBuffer;
    private GgmlContext? _repacked;
    private bool _allocated;

    /// <param name="repack">Whether <see cref="NewMatrix"/> may repack (e.g. off to compare against the plain layout).</param>
    public TensorStore(ComputeBackend backend, int maxTensors, bool repack = true)
    {
        Backend = backend;
        Context = new GgmlContext(maxTensors);
        Repack = repack;
    }

    /// <summary>Whether <see cref="NewMatrix"/> may put weights in repacked memory.</summary>
    public bool Repack { get; }

    public ComputeBackend Backend { get; }
    public GgmlContext Context { get; }
    public long AllocatedBytes { get; private set; }

    /// <summary>Bytes of the repacked weights (part of <see cref="AllocatedBytes"/>).</summary>
    public long RepackedBytes { get; private set; }

    /// <summary>Tensors declared in repacked memory (<see cref="NewMatrix"/>).</summary>
    public int RepackedCount { get; private set; }

    /// <summary>
    /// Declares a 2-D weight that is only ever the weight operand of matrix products with F32 activations (never
    /// gathered, viewed or read back): in repacked memory where ggml repacks it on this CPU, else in <see cref="Context"/>.
    /// </summary>
    public Tensor NewMatrix(GgmlType type, long[] ne)
    {
        if (_allocated) throw new GgmlException("tensor store is already allocated");
        if (!Repack || !CpuRepack.Takes(Backend, type, ne)) return Context.NewTensor(type, ne);
        _repacked ??= new GgmlContext(Context.MaxTensors);
        RepackedCount++;
        return _repacked.NewTensor(type, ne);
    }

    public void Allocate()
    {
        if (_allocated) throw new GgmlException("tensor store is already allocated");
        if (!Context.Tensors.Any() && _repacked is null) throw new GgmlException("tensor store has no tensors to allocate");
        if (Context.Tensors.Any())
        {
            _buffer = new BufferHandle(GgmlBackendApi.ggml_backend_alloc_ctx_tensors(Context.Pointer, Backend.Pointer),
                $"a weight buffer on {Backend.Name} (out of memory?)", Backend.Handle);
            GgmlBackendApi.ggml_backend_buffer_set_usage(_buffer.Pointer, 1); // WEIGHTS: lets the scheduler keep ops next to their weights
            AllocatedBytes = (long)GgmlBackendApi.ggml_backend_buffer_get_size(_buffer.Pointer);
        }
        if (_repacked is not null)
        {
            _repackedBuffer = CpuRepack.Allocate(_repacked, Backend);
            GgmlBackendApi.ggml_backend_buffer_set_usage(_repackedBuffer.Pointer, 1);
            RepackedBytes = (long)GgmlBackendApi.ggml_backend_buffer_get_size(_repackedBuffer.Pointer);
            AllocatedBytes += RepackedBytes;
        }
        _allocated = true;
    }

    /// <summary>Sets every byte of the store's memory (e.g. zeroes a cache before first use).</summary>
    public void Clear(byte value = 0)
    {
        if (_buffer is null) throw new GgmlException("tensor store is not allocated yet");
        if (_repacked is not null) throw new GgmlException("a tensor store with repacked weights cannot be cleared");
        GgmlBackendApi.ggml_backend_buffer_clear(_buffer.Pointer, value);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _repackedBuffer?.Dispose();
        Context.Dispose();
        _repacked?.Dispose();
    }
}
