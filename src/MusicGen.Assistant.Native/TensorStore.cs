using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Tensors with memory of their own on a backend (model weights, persistent state): declare them in <see cref="Context"/>,
/// call <see cref="Allocate"/> once, then fill them with <see cref="Tensor.SetData{T}(ReadOnlySpan{T})"/>. Weights
/// declared with <see cref="NewMatrix"/> go to the CPU's repacked memory when ggml repacks their type and shape
/// (<see cref="CpuRepack"/>), a second buffer of the store; in a store made with <c>int8Products</c>, Q8_0 weights
/// that <see cref="Int8Products"/> takes go to a third, packed for our integer product kernel.
/// </summary>
public sealed class TensorStore : IDisposable
{
    private BufferHandle? _buffer;
    private BufferHandle? _repackedBuffer;
    private GgmlContext? _repacked;
    private BufferHandle? _int8Buffer;
    private GgmlContext? _int8;
    private bool _allocated;

    /// <param name="repack">Whether <see cref="NewMatrix"/> may repack (e.g. off to compare against the plain layout).</param>
    /// <param name="int8Products">Whether <see cref="NewMatrix"/> may pack Q8_0 weights for <see cref="Int8Products"/>
    /// (for weights multiplied with many columns at once, e.g. an encoder's).</param>
    public TensorStore(ComputeBackend backend, int maxTensors, bool repack = true, bool int8Products = false)
    {
        Backend = backend;
        Context = new GgmlContext(maxTensors);
        Repack = repack;
        PacksInt8 = int8Products;
    }

    /// <summary>Whether <see cref="NewMatrix"/> may pack Q8_0 weights for the integer product kernel.</summary>
    public bool PacksInt8 { get; }

    /// <summary>Tensors declared in packed memory for the integer product kernel.</summary>
    public int Int8Count { get; private set; }

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
        if (PacksInt8 && Int8Products.Takes(Backend, type, ne))
        {
            _int8 ??= new GgmlContext(Context.MaxTensors);
            Int8Count++;
            return _int8.NewTensor(type, ne);
        }
        if (!Repack || !CpuRepack.Takes(Backend, type, ne)) return Context.NewTensor(type, ne);
        _repacked ??= new GgmlContext(Context.MaxTensors);
        RepackedCount++;
        return _repacked.NewTensor(type, ne);
    }

    public void Allocate()
    {
        if (_allocated) throw new GgmlException("tensor store is already allocated");
        if (!Context.Tensors.Any() && _repacked is null && _int8 is null) throw new GgmlException("tensor store has no tensors to allocate");
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
        if (_int8 is not null)
        {
            _int8Buffer = Int8Products.Allocate(_int8, Backend);
            AllocatedBytes += (long)GgmlBackendApi.ggml_backend_buffer_get_size(_int8Buffer.Pointer);
        }
        _allocated = true;
    }

    /// <summary>Sets every byte of the store's memory (e.g. zeroes a cache before first use).</summary>
    public void Clear(byte value = 0)
    {
        if (_buffer is null) throw new GgmlException("tensor store is not allocated yet");
        if (_repacked is not null || _int8 is not null) throw new GgmlException("a tensor store with repacked weights cannot be cleared");
        GgmlBackendApi.ggml_backend_buffer_clear(_buffer.Pointer, value);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _repackedBuffer?.Dispose();
        if (_int8Buffer is not null) Int8Products.Release(_int8Buffer);
        Context.Dispose();
        _repacked?.Dispose();
        _int8?.Dispose();
    }
}
