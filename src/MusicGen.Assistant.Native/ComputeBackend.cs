using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// One ggml backend (a device stream) that owns its handle. The CPU backend's thread count is always set explicitly,
/// and never above the CPUs this process may use (<see cref="Cpu.CpuBudget"/>): ggml's default of 4 oversubscribes
/// small machines badly.
/// </summary>
public sealed unsafe class ComputeBackend : IDisposable
{
    private readonly BackendHandle _handle;
    private CpuWorkerThreads? _workers;

    private ComputeBackend(nint device, int threads)
    {
        Device = device;
        DeviceType = GgmlBackendApi.ggml_backend_dev_type(device);
        var name = Marshal.PtrToStringUTF8(GgmlBackendApi.ggml_backend_dev_name(device)) ?? "?";
        _handle = new BackendHandle(GgmlBackendApi.ggml_backend_dev_init(device, 0), $"the {name} backend");
        Name = Marshal.PtrToStringUTF8(GgmlBackendApi.ggml_backend_name(_handle.Pointer)) ?? name;
        if (IsCpu)
        {
            var reg = GgmlBackendApi.ggml_backend_dev_backend_reg(device);
            var setThreads = (delegate* unmanaged<nint, int, void>)GgmlBackendApi.ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
            if (setThreads == null) throw new NativeRuntimeException("the CPU backend does not export ggml_backend_set_n_threads");
            setThreads(_handle.Pointer, threads);
            Threads = threads;
        }
    }

    /// <summary>
    /// Creates a backend. <see cref="BackendKind.Auto"/> takes a GPU when one is present and usable, else the CPU;
    /// <see cref="BackendKind.Gpu"/> fails clearly when there is none.
    /// </summary>
    public static ComputeBackend Create(BackendKind kind = BackendKind.Cpu, int? threads = null)
    {
        GgmlRuntime.EnsureInitialized();
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "thread count must be at least 1");
        // never more threads than CPUs: ggml's workers spin, and one without a CPU stalls the rest at every barrier
        var decision = Cpu.CpuThreads.Choose(threads);
        if (decision.Warning is { } warning) NativeWarnings.Warn(warning);
        var n = decision.Count;
        if (kind != BackendKind.Cpu)
        {
            var gpu = GgmlBackendApi.ggml_backend_dev_by_type(1); // GGML_BACKEND_DEVICE_TYPE_GPU
            if (gpu != 0) return new ComputeBackend(gpu, n);
            if (kind == BackendKind.Gpu)
                throw new NativeRuntimeException("No GPU backend is available: the loaded natives have no usable libggml-cuda.so (or no CUDA device/driver). " +
                                                 "Fetch the CUDA package with `scripts/fetch-natives.sh cuda`, or build it with scripts/build-cuda-backend.sh.");
        }
        var cpu = GgmlBackendApi.ggml_backend_dev_by_type(0);
        if (cpu == 0) throw new NativeRuntimeException("No CPU backend is loaded.");
        return new ComputeBackend(cpu, n);
    }

    public string Name { get; }
    public int DeviceType { get; }
    public bool IsCpu => DeviceType == 0;
    public int Threads { get; }
    internal nint Device { get; }
    internal nint Pointer => _handle.Pointer;
    internal BackendHandle Handle => _handle;

    /// <summary>Whether this backend can run the op that produced <paramref name="t"/>.</summary>
    public bool Supports(Tensor t) => GgmlBackendApi.ggml_backend_supports_op(Pointer, t.Ptr);

    /// <summary>Whether the CPU worker threads live from one graph to the next (<see cref="KeepWorkerThreads"/>).</summary>
    public bool KeepsWorkerThreads => _workers is not null;

    /// <summary>
    /// Keeps this CPU backend's worker threads between graphs (a ggml threadpool that waits without polling) instead
    /// of starting fresh ones for every graph: for many small graphs (decode steps), and for graphs with C# kernels,
    /// which would otherwise attach each fresh thread to .NET. No effect on other backends or with one thread.
    /// </summary>
    public void KeepWorkerThreads()
    {
        if (!IsCpu || Threads < 2 || _workers is not null) return;
        _workers = new CpuWorkerThreads(Device, _handle.Pointer, Threads);
    }

    public void Dispose()
    {
        _handle.Dispose();
        _workers?.Dispose();
    }
}
