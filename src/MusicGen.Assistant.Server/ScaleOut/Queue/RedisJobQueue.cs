using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>
/// The web node's side of the Redis queue (<see cref="IJobQueue"/>): a turn becomes an entry of a job stream (the
/// render stream for jobs that run the music model), refused when the capacity's worth of jobs wait; its events come
/// back through <see cref="RedisTurnRelay"/>. Workers do not dequeue here: they claim entries with
/// <see cref="JobClaims"/> in their consumer group.
/// </summary>
public sealed class RedisJobQueue(RedisConnection redis, IFileStore files, RedisTurnRelay relay, ServerOptions options) : IJobQueue
{
    /// <summary>How long a submission waits for an absent Redis before it is refused with 503.</summary>
    public static readonly TimeSpan EnqueuePatience = TimeSpan.FromSeconds(10);

    public int Capacity { get; } = Math.Max(1, options.Limits.QueueLength);

    public int Depth
    {
        get
        {
            try { return (int)redis.Run(db => Waiting(db), TimeSpan.FromSeconds(2)); }
            catch (RedisException) { return 0; } // /health and /metrics still answer
        }
    }

    public bool TryEnqueue(TurnJob job)
    {
        var store = files as ContentAddressedFileStore
            ?? throw new InvalidOperationException("the redis queue needs the shared content-addressed file store");
        var payload = TurnJobMessage.From(job, store).ToJson();
        var stream = JobKinds.Renders(JobKinds.Turn) ? RedisKeys.RenderStream : RedisKeys.GeneralStream;
        relay.Watch(job.TurnId); // before the entry exists: no event can come before its reader
        long added;
        try
        {
            added = redis.Run(db => (long)db.ScriptEvaluate(RedisScripts.Enqueue, [.. RedisKeys.JobStreams.Select(k => (RedisKey)k), stream],
                [RedisKeys.Group, Capacity, job.TurnId, JobKinds.Turn, payload, RedisKeys.WakeChannel]), EnqueuePatience);
        }
        catch (Exception e) when (RedisConnection.IsTransient(e))
        {
            relay.Unwatch(job.TurnId);
            throw new TurnRefusedException(503, "Queue unavailable", $"the job queue (Redis) does not answer: {e.Message}", TimeSpan.FromSeconds(5));
        }
        if (added == 1) return true;
        relay.Unwatch(job.TurnId);
        return false;
    }

    public ValueTask<TurnJob> DequeueAsync(CancellationToken cancellation) =>
        throw new InvalidOperationException("with the redis queue, workers claim jobs from their consumer group (JobClaims), not from the web node's queue");

    /// <summary>
    /// The ids of every job in the job streams, waiting or claimed (an entry leaves its stream only when it is
    /// acknowledged, after its result is recorded). The streams are bounded by the queue's capacity plus the running jobs.
    /// </summary>
    public static async Task<HashSet<string>> JobIdsAsync(IDatabase db)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stream in RedisKeys.JobStreams)
            foreach (var entry in await db.StreamRangeAsync(stream))
                if (entry["id"] is { IsNull: false } id) ids.Add(id!);
        return ids;
    }

    /// <summary>Jobs queued and not yet claimed by a worker.</summary>
    public static long Waiting(IDatabase db)
    {
        long waiting = 0;
        foreach (var stream in RedisKeys.JobStreams)
        {
            if (!db.KeyExists(stream)) continue;
            var pending = db.StreamPending(stream, RedisKeys.Group).PendingMessageCount;
            waiting += db.StreamLength(stream) - pending;
        }
        return waiting;
    }
}
