using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Compute;

/// <summary>
/// Where the jobs compute: the device (auto, CPU, GPU) and the CPU thread count. The thread count is resolved once,
/// when first needed (reading <c>MGA_THREADS</c> may fail with a clear message).
/// </summary>
/// <param name="warnings">Where a thread request cut to the CPUs available is reported (the CLI: standard error).</param>
public sealed class ComputeOptions(BackendKind device = BackendKind.Auto, int? threads = null, TextWriter? warnings = null)
{
    private ThreadChoice? _threads;

    public BackendKind Device { get; } = device;

    public ThreadChoice Threads => _threads ??= ThreadChoice.Resolve(threads, warnings);

    /// <summary>
    /// A new backend on <see cref="Device"/> (loading ggml first); the caller owns it. With no count asked for (no
    /// option, no MGA_THREADS) the backend follows the machine's load; a request is cut (and warned about) once, by
    /// <see cref="Threads"/>.
    /// </summary>
    public ComputeBackend CreateBackend() => AssistantException.Guard(() =>
    {
        GgmlRuntime.EnsureInitialized();
        var defaulted = threads is null && Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is null;
        return ComputeBackend.Create(Device, defaulted ? null : Threads.Count);
    });
}
