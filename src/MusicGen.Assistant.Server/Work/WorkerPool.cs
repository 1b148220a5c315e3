using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Hosting;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// The workers: Limits.Workers loops (one per device) taking turns off the queue. The model set is loaded in the
/// background at start so the first turn does not wait for it (a failure there is reported by that turn).
/// </summary>
public sealed class WorkerPool(IJobQueue queue, TurnRunner runner, IAssistantEngine engine, ServerOptions options, ILogger<WorkerPool> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!ScaleOut.ScaleOutSettings.From(options).RunsLocalWorkers) return; // the redis queue's workers run instead
        _ = Task.Run(() =>
        {
            try { engine.Load(stopping); }
            catch (Exception e) { log.LogWarning("model set not loaded at start: {Message}", e.Message); }
        }, stopping);
        var workers = Enumerable.Range(0, Math.Max(1, options.Limits.Workers)).Select(_ => Loop(stopping)).ToArray();
        await Task.WhenAll(workers);
    }

    private async Task Loop(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TurnJob job;
            try { job = await queue.DequeueAsync(stopping); }
            catch (OperationCanceledException) { return; }
            try { await runner.RunAsync(job, stopping); }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // the store or the file system failed around a turn: log it, keep serving the next ones
                log.LogError(e, "worker: turn {Turn} could not be finished", job.TurnId);
            }
        }
    }
}
