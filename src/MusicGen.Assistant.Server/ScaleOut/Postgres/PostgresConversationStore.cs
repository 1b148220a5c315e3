using Npgsql;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Postgres;

/// <summary>
/// Conversations and job records in PostgreSQL, shared by every node; each call is retried while the server is away
/// (<see cref="PostgresRetry"/>). With <paramref name="distributed"/> (the redis queue) a turn's job record is written
/// with the turn, results go through <see cref="IJobStore.FinishOnceAsync"/>, and a restarting node leaves running turns
/// alone (their jobs are claimed again by other workers instead).
/// </summary>
public sealed partial class PostgresConversationStore : IConversationStore, IJobStore, IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly PostgresRetry _retry;
    private readonly bool _distributed;

    public PostgresConversationStore(string connectionString, bool distributed, ILogger? log = null)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        _retry = new PostgresRetry(_source, log);
        _distributed = distributed;
    }

    public PostgresRetry Retry => _retry;

    public void Dispose() => _source.Dispose();

    public async Task MigrateAsync(CancellationToken cancellation = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateOnceAsync(cancellation);
                return;
            }
            // another node created the same object in the same moment (seen under load despite the lock): look again
            catch (PostgresException e) when (e.SqlState is "42P07" or "42710" or "23505" && attempt < 5) { }
        }
    }

    private Task MigrateOnceAsync(CancellationToken cancellation) => _retry.RunAsync(async db =>
    {
        var steps = PostgresMigrations.Steps;
        for (var v = 1; v <= steps.Count; v++)
        {
            await using var tx = await db.BeginTransactionAsync(cancellation);
            // nodes starting together queue here; each step runs once, in order, in its own transaction
            await Exec(db, tx, "SELECT pg_advisory_xact_lock(@k);", cancellation, ("k", PostgresMigrations.LockKey));
            // under the lock: two sessions creating it at once would collide even with IF NOT EXISTS
            await Exec(db, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL);", cancellation);
            var current = (int)(await Scalar(db, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellation))!;
            if (current > steps.Count)
                throw new InvalidOperationException($"the database has schema version {current}, newer than this program's {steps.Count}");
            if (current < v)
            {
                await Exec(db, tx, steps[v - 1], cancellation);
                await Exec(db, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, now());", cancellation, ("v", v));
            }
            await tx.CommitAsync(cancellation);
        }
    }, cancellation);

    /// <summary>The schema version the database is at.</summary>
    public Task<int> SchemaVersionAsync(CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (int)(await Scalar(db, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellation))!, cancellation);

    public Task<ConversationRecord> CreateConversationAsync(string title, CancellationToken cancellation = default)
    {
        var now = Now();
        var record = new ConversationRecord(SqliteConversationStore.NewId(), title, now, now);
        return _retry.RunAsync(async db =>
        {
            await Exec(db, null, "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (@id, @t, @now, @now) ON CONFLICT (id) DO NOTHING;",
                cancellation, ("id", record.Id), ("t", title), ("now", now));
            return record;
        }, cancellation);
    }

    public Task<IReadOnlyList<ConversationRecord>> ListConversationsAsync(CancellationToken cancellation = default) => _retry.RunAsync<IReadOnlyList<ConversationRecord>>(async db =>
        await Query(db, $"{ConversationColumns} ORDER BY updated_at DESC;", ReadConversation, cancellation), cancellation);

    public Task<ConversationDetail?> GetConversationAsync(string id, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        await using var tx = await db.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellation); // one consistent view
        var conversation = (await Query(db, $"{ConversationColumns} WHERE id = @id;", ReadConversation, cancellation, ("id", id))).FirstOrDefault();
        if (conversation is null) return null;
        var turns = await Query(db, $"{TurnColumns} WHERE conversation_id = @id ORDER BY turn_index;", ReadTurn, cancellation, ("id", id));
        var attachments = await Query(db, $"{AttachmentColumns} WHERE turn_id IN (SELECT id FROM turns WHERE conversation_id = @id);", ReadAttachment, cancellation, ("id", id));
        var tracks = await Query(db, $"{TrackColumns} WHERE conversation_id = @id ORDER BY created_at;", ReadTrack, cancellation, ("id", id));
        await tx.CommitAsync(cancellation);
        return new ConversationDetail(conversation, turns, attachments, tracks);
    }, cancellation);

    public Task<ConversationRecord?> RenameConversationAsync(string id, string title, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        await Exec(db, null, "UPDATE conversations SET title = @t, updated_at = @now WHERE id = @id;", cancellation, ("id", id), ("t", title), ("now", Now()));
        return (await Query(db, $"{ConversationColumns} WHERE id = @id;", ReadConversation, cancellation, ("id", id))).FirstOrDefault();
    }, cancellation);

    public Task<IReadOnlyList<string>?> DeleteConversationAsync(string id, CancellationToken cancellation = default) => _retry.RunAsync<IReadOnlyList<string>?>(async db =>
    {
        await using var tx = await db.BeginTransactionAsync(cancellation);
        var exists = await Scalar(db, tx, "SELECT 1 FROM conversations WHERE id = @id FOR UPDATE;", cancellation, ("id", id));
        if (exists is null) return null;
        var keys = await Query(db, """
            SELECT file_key FROM attachments WHERE turn_id IN (SELECT id FROM turns WHERE conversation_id = @id)
            UNION ALL SELECT file_key FROM tracks WHERE conversation_id = @id;
            """, r => r.GetString(0), cancellation, ("id", id));
        await Exec(db, tx, "DELETE FROM conversations WHERE id = @id;", cancellation, ("id", id)); // turns, attachments, tracks, jobs cascade
        await tx.CommitAsync(cancellation);
        return keys;
    }, cancellation);

    public Task<TurnRecord> AddTurnAsync(string turnId, string conversationId, string userText, string? inputTrackId, double seconds, AttachmentRecord? attachment,
        CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        await using var tx = await db.BeginTransactionAsync(cancellation);
        // the conversation's row lock orders concurrent turns of one conversation
        await Exec(db, tx, "SELECT 1 FROM conversations WHERE id = @c FOR UPDATE;", cancellation, ("c", conversationId));
        if ((await Query(db, $"{TurnColumns} WHERE id = @id;", ReadTurn, cancellation, ("id", turnId))).FirstOrDefault() is { } already)
            return already; // a repeat after a lost reply
        var index = (int)(await Scalar(db, tx, "SELECT COALESCE(MAX(turn_index) + 1, 0) FROM turns WHERE conversation_id = @c;", cancellation, ("c", conversationId)))!;
        var now = Now();
        var turn = new TurnRecord(turnId, conversationId, index, userText, "", TurnStatus.Queued, null, now, null, inputTrackId, seconds);
        await Exec(db, tx, """
            INSERT INTO turns (id, conversation_id, turn_index, user_text, status, created_at, input_track_id, seconds)
            VALUES (@id, @c, @i, @text, @status, @now, @input, @seconds);
            """, cancellation, ("id", turnId), ("c", conversationId), ("i", index), ("text", userText), ("status", Status(TurnStatus.Queued)),
            ("now", now), ("input", inputTrackId), ("seconds", seconds));
        await Exec(db, tx, "UPDATE conversations SET updated_at = @now WHERE id = @c;", cancellation, ("c", conversationId), ("now", now));
        if (attachment is not null)
            await Exec(db, tx, "INSERT INTO attachments (id, turn_id, kind, media_type, file_name, file_key, bytes) VALUES (@id, @t, @k, @m, @n, @f, @b);", cancellation,
                ("id", attachment.Id), ("t", turnId), ("k", attachment.Kind), ("m", attachment.MediaType), ("n", attachment.FileName), ("f", attachment.FileKey), ("b", attachment.Bytes));
        if (_distributed)
            await Exec(db, tx, "INSERT INTO jobs (id, turn_id, kind, status, created_at) VALUES (@id, @id, @kind, 'queued', @now);", cancellation,
                ("id", turnId), ("kind", JobKinds.Turn), ("now", now));
        await tx.CommitAsync(cancellation);
        return turn;
    }, cancellation);

    public Task<string?> RemoveTurnAsync(string turnId, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
    {
        var key = (await Query(db, "SELECT file_key FROM attachments WHERE turn_id = @id;", r => r.GetString(0), cancellation, ("id", turnId))).FirstOrDefault();
        await Exec(db, null, "DELETE FROM turns WHERE id = @id;", cancellation, ("id", turnId));
        return key;
    }, cancellation);

    public Task<TurnRecord?> GetTurnAsync(string id, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (await Query(db, $"{TurnColumns} WHERE id = @id;", ReadTurn, cancellation, ("id", id))).FirstOrDefault(), cancellation);

    public Task SetTurnStatusAsync(string id, TurnStatus status, string? replyText = null, string? error = null, CancellationToken cancellation = default) =>
        _retry.RunAsync(async db =>
        {
            var finished = status is TurnStatus.Done or TurnStatus.Failed or TurnStatus.Cancelled;
            await Exec(db, null, """
                UPDATE turns SET status = @s, reply_text = COALESCE(@reply, reply_text), error = @error,
                    finished_at = CASE WHEN @finished THEN @now ELSE finished_at END
                WHERE id = @id;
                """, cancellation, ("id", id), ("s", Status(status)), ("reply", replyText), ("error", error), ("finished", finished), ("now", Now()));
        }, cancellation);

    public Task AddTrackAsync(TrackRecord track, CancellationToken cancellation = default) => _retry.RunAsync(db => InsertTrack(db, null, track, cancellation), cancellation);

    public Task<TrackRecord?> GetTrackAsync(string id, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (await Query(db, $"{TrackColumns} WHERE id = @id;", ReadTrack, cancellation, ("id", id))).FirstOrDefault(), cancellation);

    public Task<AttachmentRecord?> GetAttachmentAsync(string id, CancellationToken cancellation = default) => _retry.RunAsync(async db =>
        (await Query(db, $"{AttachmentColumns} WHERE id = @id;", ReadAttachment, cancellation, ("id", id))).FirstOrDefault(), cancellation);

    public Task<int> FailInterruptedTurnsAsync(string reason, CancellationToken cancellation = default)
    {
        // scale-out: a node's restart interrupts nothing (other workers claim its jobs); jobs end through their attempts
        if (_distributed) return Task.FromResult(0);
        return _retry.RunAsync(async db => await Exec(db, null,
            "UPDATE turns SET status = 'failed', error = @reason, finished_at = @now WHERE status IN ('queued', 'running');", cancellation,
            ("reason", reason), ("now", Now())), cancellation);
    }

    private static Task InsertTrack(NpgsqlConnection db, NpgsqlTransaction? tx, TrackRecord t, CancellationToken cancellation) => Exec(db, tx, """
        INSERT INTO tracks (id, conversation_id, turn_id, file_key, seconds, sample_rate, channels, title, created_at)
        VALUES (@id, @c, @t, @f, @s, @r, @ch, @title, @at) ON CONFLICT (id) DO NOTHING;
        """, cancellation, ("id", t.Id), ("c", t.ConversationId), ("t", t.TurnId), ("f", t.FileKey), ("s", t.Seconds), ("r", t.SampleRate),
        ("ch", t.Channels), ("title", t.Title), ("at", t.CreatedAt));
}
