using MusicGen.Assistant.Server.ScaleOut.Queue;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>A job entry this worker holds: which stream, which entry, and the job it carries.</summary>
public sealed record ClaimedJob(string Stream, RedisValue EntryId, string JobId, string Kind, string Payload, bool Reclaimed);

/// <summary>
/// One worker's side of the queue protocol, in the consumer group of the job streams: claim a new entry (XREADGROUP)
/// or one whose worker stopped renewing (XAUTOCLAIM after the claim timeout), renew the claim while the job runs,
/// acknowledge (and delete) it once its result is recorded, or hand it back when stopping.
/// </summary>
public sealed class JobClaims(RedisConnection redis, string consumer, WorkerOptions options)
{
    public string Consumer => consumer;

    public async Task EnsureGroupsAsync(CancellationToken cancellation)
    {
        foreach (var stream in RedisKeys.JobStreams)
            await redis.RunAsync(async db =>
            {
                try { await db.StreamCreateConsumerGroupAsync(stream, RedisKeys.Group, "0-0", createStream: true); }
                catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal)) { } // there already
            }, cancellation);
    }

    /// <summary>The next job from these streams, in order: in each, first an entry of a stopped worker, then a new one.</summary>
    public async Task<ClaimedJob?> ClaimAsync(IReadOnlyList<string> streams, CancellationToken cancellation)
    {
        foreach (var stream in streams)
        {
            var job = await WithGroups(async db =>
            {
                var stale = await db.StreamAutoClaimAsync(stream, RedisKeys.Group, consumer, (long)options.ClaimTimeout.TotalMilliseconds, "0-0", 1);
                foreach (var old in stale.ClaimedEntries ?? [])
                    if (!old.Id.IsNull) return Read(stream, old, reclaimed: true);
                var fresh = await db.StreamReadGroupAsync(stream, RedisKeys.Group, consumer, ">", 1);
                return fresh.Length > 0 && !fresh[0].Id.IsNull ? Read(stream, fresh[0], reclaimed: false) : null;
            }, cancellation);
            if (job is not null) return job;
        }
        return null;
    }

    /// <summary>Resets the claim's idle time if this worker still holds it; false: another worker has taken it over.</summary>
    public Task<bool> RenewAsync(ClaimedJob job, CancellationToken cancellation) => redis.RunAsync(async db =>
        (long)await db.ScriptEvaluateAsync(RedisScripts.Renew, [job.Stream], [RedisKeys.Group, job.EntryId, consumer]) == 1, cancellation);

    public Task AckAsync(ClaimedJob job, CancellationToken cancellation) => redis.RunAsync(db =>
        db.ScriptEvaluateAsync(RedisScripts.AckDelete, [job.Stream], [RedisKeys.Group, job.EntryId]), cancellation);

    /// <summary>Hands a job back unfinished (this worker stops): the next worker claims it without waiting for the timeout.</summary>
    public Task ReleaseAsync(ClaimedJob job, CancellationToken cancellation) => redis.RunAsync(db =>
        db.ScriptEvaluateAsync(RedisScripts.Release, [job.Stream], [RedisKeys.Group, job.EntryId, consumer, (long)options.ClaimTimeout.TotalMilliseconds + 1]), cancellation);

    /// <summary>How long the oldest job not yet delivered in the stream has waited (its entry id is its enqueue time); null: none waits.</summary>
    public Task<TimeSpan?> OldestWaitingAsync(string stream, CancellationToken cancellation) => WithGroups<TimeSpan?>(async db =>
    {
        var groups = await db.StreamGroupInfoAsync(stream);
        var last = groups.FirstOrDefault(g => g.Name == RedisKeys.Group).LastDeliveredId ?? "0-0";
        var next = await db.StreamRangeAsync(stream, "(" + last, "+", 1);
        if (next.Length == 0) return null;
        var ms = long.Parse(((string)next[0].Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
        return DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }, cancellation);

    private static ClaimedJob Read(string stream, StreamEntry entry, bool reclaimed) => new(stream, entry.Id,
        (string?)entry["id"] ?? "", (string?)entry["kind"] ?? "", (string?)entry["payload"] ?? "", reclaimed);

    // a Redis that lost its data (restarted without persistence) has no group: make it again and go on
    private async Task<T> WithGroups<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellation)
    {
        try { return await redis.RunAsync(call, cancellation); }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal) || e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            await EnsureGroupsAsync(cancellation);
            return await redis.RunAsync(call, cancellation);
        }
    }
}
