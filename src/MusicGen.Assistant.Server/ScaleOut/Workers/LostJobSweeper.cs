using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>
/// Ends turns whose job can never run. A web node records a turn (and its job) in PostgreSQL, then adds the job to a
/// Redis stream; if it dies between the two, or Redis loses its streams (a restart without persistence), the turn
/// would stay "queued" forever. Every node with the redis queue looks, every half <see cref="WorkerOptions.LostJob"/>,
/// for jobs recorded longer ago than that, never started, and in no job stream, and fails each with a reason the user
/// reads. The failure goes through <see cref="IJobStore.FinishOnceAsync"/>, the same one-result rule the workers use,
/// so a job that a worker finished meanwhile keeps the worker's result, and several nodes sweeping at once agree.
/// </summary>
public sealed class LostJobSweeper(ServerOptions options, IServiceProvider services, ILogger<LostJobSweeper> log) : BackgroundService
{
    public const string Reason = "lost before any worker took it: the node that received this message stopped before queueing it, or the job queue lost it; send it again";

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!services.GetRequiredService<ScaleOutSettings>().RedisQueue) return;
        var redis = services.GetRequiredService<RedisConnection>();
        var jobs = services.GetRequiredService<IJobStore>();
        var node = $"sweeper@{Environment.MachineName}-{Environment.ProcessId}";
        var every = options.Worker.LostJob / 2;
        while (!stopping.IsCancellationRequested)
        {
            try { await Task.Delay(every, stopping); }
            catch (OperationCanceledException) { return; }
            try
            {
                var failed = await SweepAsync(jobs, redis, options.Worker.LostJob, DateTimeOffset.UtcNow, node, stopping);
                foreach (var id in failed) log.LogWarning("turn {Id} failed: its job is in no queue ({Reason})", id, Reason);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning("looking for lost jobs failed ({Message}); trying again in {Seconds} s", e.Message, (int)every.TotalSeconds);
            }
        }
    }

    /// <summary>One look: fails the lost jobs (recorded before <paramref name="now"/> − <paramref name="after"/>) and returns their ids.</summary>
    public static async Task<IReadOnlyList<string>> SweepAsync(IJobStore jobs, RedisConnection redis, TimeSpan after, DateTimeOffset now, string node,
        CancellationToken cancellation)
    {
        // the database first: a job queued after this read is not a candidate, and one read here but claimed since is
        // still in its stream (an entry leaves only when acknowledged, after its result is recorded)
        var candidates = await jobs.UnstartedJobsAsync(now - after, cancellation);
        if (candidates.Count == 0) return [];
        var queued = await redis.RunAsync(RedisJobQueue.JobIdsAsync, cancellation);
        var failed = new List<string>();
        foreach (var id in candidates.Where(id => !queued.Contains(id)))
            if (await jobs.FinishOnceAsync(new JobResult(id, node, TurnStatus.Failed, "", Reason, null), cancellation))
                failed.Add(id);
        return failed;
    }
}
