using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>
/// The record of each queued job in the shared database: attempts, who ran it, and its ONE result. Redis carries jobs
/// to workers at least once; this record makes a job finish once: <see cref="FinishOnceAsync"/> is a conditional write
/// that only the first finisher passes, and every later finisher's result is discarded.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Starts an attempt of a job by <paramref name="worker"/> (its turn becomes running); returns the attempt's number,
    /// or null when the job is already finished or unknown (the caller acknowledges and drops it).
    /// </summary>
    Task<int?> StartAttemptAsync(string jobId, string worker, CancellationToken cancellation = default);

    /// <summary>
    /// Records the result of an attempt if no result is recorded yet: the job, its turn (status, reply, error) and the
    /// track in one transaction. True: this result is the job's; false: another finisher's came first (discard this one).
    /// </summary>
    Task<bool> FinishOnceAsync(JobResult result, CancellationToken cancellation = default);

    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellation = default);

    /// <summary>Jobs without a result that no worker has started, recorded before <paramref name="queuedBefore"/>.</summary>
    Task<IReadOnlyList<string>> UnstartedJobsAsync(DateTimeOffset queuedBefore, CancellationToken cancellation = default);
}

/// <summary>A job as recorded. <see cref="FinishedBy"/> names the attempt whose result counts ("worker#attempt").</summary>
public sealed record JobRecord(string Id, string? TurnId, string Kind, string Status, int Attempts, string? Worker, string? FinishedBy, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>What one attempt of a turn job came to.</summary>
/// <param name="Attempt">Who made it: "worker#attempt"; a repeat of the same call (after a lost reply) is recognized by it.</param>
public sealed record JobResult(string JobId, string Attempt, TurnStatus Status, string ReplyText, string? Error, TrackRecord? Track);
