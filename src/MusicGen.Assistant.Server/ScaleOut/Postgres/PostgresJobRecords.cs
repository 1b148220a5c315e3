using Npgsql;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Postgres;

/// <summary>The job records (<see cref="IJobStore"/>): attempts counted, and one result per job by a conditional update.</summary>
public sealed partial class PostgresConversationStore
{
    public Task<int?> StartAttemptAsync(string jobId, string worker, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        await using var tx = await db.BeginTransactionAsync(cancellation);
        var attempt = await Scalar(db, tx, """
            UPDATE jobs SET attempts = attempts + 1, worker = @w, status = 'running', started_at = @now
            WHERE id = @id AND finished_at IS NULL RETURNING attempts;
            """, cancellation, ("id", jobId), ("w", worker), ("now", Now()));
        if (attempt is null) return (int?)null;
        await Exec(db, tx, "UPDATE turns SET status = 'running' WHERE id = (SELECT turn_id FROM jobs WHERE id = @id) AND status IN ('queued', 'running');",
            cancellation, ("id", jobId));
        await tx.CommitAsync(cancellation);
        return (int)attempt;
    }, cancellation);

    public Task<bool> FinishOnceAsync(JobResult r, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        await using var tx = await db.BeginTransactionAsync(cancellation);
        var now = Now();
        // the one conditional write that decides whose result counts: only a job without a result takes one
        var won = await Exec(db, tx, """
            UPDATE jobs SET status = @s, finished_by = @by, error = @error, finished_at = @now
            WHERE id = @id AND finished_at IS NULL;
            """, cancellation, ("id", r.JobId), ("s", Status(r.Status)), ("by", r.Attempt), ("error", r.Error), ("now", now)) == 1;
        if (!won)
        {
            // a repeat of this very call whose first reply was lost has already won
            var by = await Scalar(db, tx, "SELECT finished_by FROM jobs WHERE id = @id;", cancellation, ("id", r.JobId)) as string;
            return by == r.Attempt;
        }
        await Exec(db, tx, """
            UPDATE turns SET status = @s, reply_text = @reply, error = @error, finished_at = @now
            WHERE id = (SELECT turn_id FROM jobs WHERE id = @id);
            """, cancellation, ("id", r.JobId), ("s", Status(r.Status)), ("reply", r.ReplyText), ("error", r.Error), ("now", now));
        if (r.Track is { } track) await InsertTrack(db, tx, track, cancellation);
        await tx.CommitAsync(cancellation);
        return true;
    }, cancellation);

    public Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (await Query(db, "SELECT id, turn_id, kind, status, attempts, worker, finished_by, error, created_at, started_at, finished_at FROM jobs WHERE id = @id;",
            r => new JobRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
                r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10)),
            cancellation, ("id", jobId))).FirstOrDefault(), cancellation);

    public Task<IReadOnlyList<string>> UnstartedJobsAsync(DateTimeOffset queuedBefore, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (IReadOnlyList<string>)await Query(db, "SELECT id FROM jobs WHERE finished_at IS NULL AND attempts = 0 AND created_at < @before ORDER BY created_at;",
            r => r.GetString(0), cancellation, ("before", queuedBefore)), cancellation);
}
