using MusicGen.Assistant.Server.ScaleOut.Queue;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>
/// Which job streams a worker reads, in order. The rule (README, "Scale-out"):
/// <list type="bullet">
/// <item>A GPU worker reads the render stream first, then the general stream.</item>
/// <item>A CPU worker reads the general stream first. It reads the render stream too only when no GPU worker able to
/// render is announced (alive, with at least <see cref="WorkerOptions.RenderMinFreeBytes"/> free), or when the oldest
/// waiting render has waited <see cref="WorkerOptions.CpuTakesRendersAfterSeconds"/> (the GPU workers are all busy).</item>
/// </list>
/// Jobs of dead workers are claimed again by the same rule.
/// </summary>
public static class RenderRouting
{
    public static IReadOnlyList<string> StreamsFor(bool selfIsGpu, IReadOnlyList<WorkerAnnouncement> alive, TimeSpan? oldestRenderWait, WorkerOptions options)
    {
        if (selfIsGpu) return [RedisKeys.RenderStream, RedisKeys.GeneralStream];
        return CpuTakesRenders(alive, oldestRenderWait, options)
            ? [RedisKeys.GeneralStream, RedisKeys.RenderStream]
            : [RedisKeys.GeneralStream];
    }

    public static bool CpuTakesRenders(IReadOnlyList<WorkerAnnouncement> alive, TimeSpan? oldestRenderWait, WorkerOptions options) =>
        !alive.Any(a => a.IsGpu && a.FreeBytes >= options.RenderMinFreeBytes)
        || oldestRenderWait is { } wait && wait >= options.CpuTakesRendersAfter;
}
