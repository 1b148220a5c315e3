using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Tensors with memory of their own on a backend (model weights, persistent state): declare them in <see cref="Context"/>,
/// call <see cref="Allocate"/> once, then fill them with <see cref="Tensor.SetData{T}(ReadOnlySpan{T})"/>.
/// </summary>
public sealed class TensorStore : IDisposable
{
    private BufferHandle? _buffer;

    public TensorStore(ComputeBackend backend, int maxTensors)
    {
        Backend = backend;
        Context = new GgmlContext(maxTensors);
    }

    public ComputeBackend Backend { get; }
    public GgmlContext Context { get; }
    public long AllocatedBytes { get; private set; }

    public void Allocate()
    {
        if (_buffer is not null) throw new GgmlException("tensor store is already allocated");
        if (!Context.Tensors.Any()) throw new GgmlException("tensor store has no tensors to allocate");
        _buffer = new BufferHandle(GgmlBackendApi.ggml_backend_alloc_ctx_tensors(Context.Pointer, Backend.Pointer),
            $"a weight buffer on {Backend.Name} (out of memory?)", Backend.Handle);
        GgmlBackendApi.ggml_backend_buffer_set_usage(_buffer.Pointer, 1); // WEIGHTS: lets the scheduler keep ops next to their weights
        AllocatedBytes = (long)GgmlBackendApi.ggml_backend_buffer_get_size(_buffer.Pointer);
    }

    /// <summary>Sets every byte of the store's memory (e.g. zeroes a cache before first use).</summary>
    public void Clear(byte value = 0)
    {
        if (_buffer is null) throw new GgmlException("tensor store is not allocated yet");
        GgmlBackendApi.ggml_backend_buffer_clear(_buffer.Pointer, value);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        Context.Dispose();
    }
}
