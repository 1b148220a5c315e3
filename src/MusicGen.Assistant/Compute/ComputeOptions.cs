using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Compute;

/// <summary>
/// Where the jobs compute: the device (auto, CPU, GPU) and the CPU thread count. The thread count is resolved once,
/// when first needed (reading <c>MGA_THREADS</c> may fail with a clear message).
/// </summary>
public sealed class ComputeOptions(BackendKind device = BackendKind.Auto, int? threads = null)
{
    private ThreadChoice? _threads;

    public BackendKind Device { get; } = device;

    public ThreadChoice Threads => _threads ??= ThreadChoice.Resolve(threads);

    /// <summary>A new backend on <see cref="Device"/> (loading ggml first); the caller owns it.</summary>
    public ComputeBackend CreateBackend() => AssistantException.Guard(() => ComputeBackend.Create(Device, Threads.Count));
}
