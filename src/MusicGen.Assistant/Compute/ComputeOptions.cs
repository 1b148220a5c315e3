using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Compute;

/// <summary>
/// Where the jobs compute: the device (auto, CPU, GPU) and the CPU thread count. The thread count is resolved once,
/// when first needed (reading <c>MGA_THREADS</c> may fail with a clear message).
/// </summary>
/// <param name="warnings">Where a thread request cut to the CPUs available is reported (the CLI: standard error).</param>
/// <param name="kvCache">The attention caches of the MusicGen decoder and the assistant's LLaMA: F32 (the default, the
/// reference's numbers) or F16 (half the caches' memory and reads, read by one fused attention node per layer on the
/// CPU, as llama.cpp does; logits within f16 rounding).</param>
public sealed class ComputeOptions(BackendKind device = BackendKind.Auto, int? threads = null, TextWriter? warnings = null, GgmlType kvCache = GgmlType.F32)
{
    private ThreadChoice? _threads;

    public BackendKind Device { get; } = device;

    public GgmlType KvCache { get; } = kvCache is GgmlType.F32 or GgmlType.F16
        ? kvCache
        : throw AssistantException.InvalidRequest($"the attention cache type {kvCache} is not f32 or f16");

    /// <summary>"f32" or "f16" as a type (what --kv-cache and Assistant:KvCache take); null or empty: F32.</summary>
    public static GgmlType ParseKvCache(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "f32" => GgmlType.F32,
        "f16" => GgmlType.F16,
        _ => throw AssistantException.InvalidRequest($"the attention cache type '{name}' is not f32 or f16"),
    };

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
