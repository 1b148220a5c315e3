using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// A ggml threadpool kept by a CPU backend, so its worker threads live from one graph to the next. Without one,
/// ggml starts (and joins) fresh worker threads for every graph computed; a graph with a C# kernel then also
/// attaches each fresh thread to .NET, which costs far more than the kernel itself when graphs are small (a decode
/// step). The workers wait on a condition variable between graphs (poll level 0): no spinning while idle.
/// </summary>
internal sealed unsafe class CpuWorkerThreads : IDisposable
{
    private readonly delegate* unmanaged<nint, void> _free;
    private nint _pool;

    public CpuWorkerThreads(nint device, nint backend, int threads)
    {
        var reg = GgmlBackendApi.ggml_backend_dev_backend_reg(device);
        var create = (delegate* unmanaged<GgmlThreadpoolParams*, nint>)Proc(reg, "ggml_threadpool_new");
        var attach = (delegate* unmanaged<nint, nint, void>)Proc(reg, "ggml_backend_cpu_set_threadpool");
        _free = (delegate* unmanaged<nint, void>)Proc(reg, "ggml_threadpool_free");
        GgmlThreadpoolParams p;
        GgmlBackendApi.ggml_threadpool_params_init(&p, threads);
        p.Poll = 0;
        _pool = create(&p);
        if (_pool == 0) throw new NativeRuntimeException($"ggml could not create a threadpool of {threads} threads");
        attach(backend, _pool);
    }

    private static nint Proc(nint reg, string name)
    {
        var p = GgmlBackendApi.ggml_backend_reg_get_proc_address(reg, name);
        return p != 0 ? p : throw new NativeRuntimeException($"the CPU backend does not export {name}");
    }

    /// <summary>Stops and joins the workers; call after the backend that used them is freed.</summary>
    public void Dispose()
    {
        if (_pool == 0) return;
        _free(_pool);
        _pool = 0;
    }
}
