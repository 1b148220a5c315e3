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
    private readonly delegate* unmanaged<nint, int, void> _setThreads;
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
            _setThreads = (delegate* unmanaged<nint, int, void>)GgmlBackendApi.ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
            if (_setThreads == null) throw new NativeRuntimeException("the CPU backend does not export ggml_backend_set_n_threads");
            _setThreads(_handle.Pointer, threads);
            Threads = ActiveThreads = threads;
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
        // a defaulted CPU backend (no count asked for, none in MGA_THREADS) follows the machine's load while it runs:
        // room for every usable CPU, the default's count active, a governor adjusting it between graphs
        var budget = Cpu.CpuBudget.Current;
        var adaptive = threads is null && budget.Usable > 1 &&
                       Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is null;
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
        return adaptive ? Adaptive(cpu, budget, n) : new ComputeBackend(cpu, n);
    }

    /// <summary>A CPU backend with room for every usable CPU, <paramref name="active"/> of them in use, governed by load.</summary>
    internal static ComputeBackend Adaptive(nint cpu, Cpu.CpuBudget budget, int active)
    {
        var backend = new ComputeBackend(cpu, budget.Usable);
        backend.SetActiveThreads(active);
        backend.Governor = new Cpu.CpuThreadGovernor(backend, budget);
        return backend;
    }

    public string Name { get; }
    public int DeviceType { get; }
    public bool IsCpu => DeviceType == 0;
    /// <summary>The most CPU threads this backend runs (its worker pool's size).</summary>
    public int Threads { get; }

    /// <summary>Threads the next graph runs on: <see cref="Threads"/>, or fewer while a defaulted backend's governor sees other load.</summary>
    public int ActiveThreads { get; private set; }

    /// <summary>Whether the active thread count follows the machine's load (a CPU backend created without a count).</summary>
    public bool AdaptsThreads => Governor is not null;

    internal Cpu.CpuThreadGovernor? Governor { get; private set; }

    /// <summary>Sets the threads later graphs run on, within 1..<see cref="Threads"/> (ggml takes it per graph).</summary>
    internal void SetActiveThreads(int n)
    {
        n = Math.Clamp(n, 1, Threads);
        if (!IsCpu || n == ActiveThreads) return;
        _setThreads(_handle.Pointer, n);
        ActiveThreads = n;
    }
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
