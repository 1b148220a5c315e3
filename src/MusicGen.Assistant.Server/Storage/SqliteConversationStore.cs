using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MusicGen.Assistant.Server.Storage;

/// <summary>Conversations in one SQLite file (WAL, foreign keys on); a connection per call from the provider's pool.</summary>
public sealed class SqliteConversationStore(string databasePath) : IConversationStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath, ForeignKeys = true, Pooling = true, DefaultTimeout = 30,
    }.ToString();

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellation);
        return connection;
    }

    public async Task MigrateAsync(CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        await using var db = await OpenAsync(cancellation);
        await Exec(db, "PRAGMA journal_mode=WAL;", cancellation);
        var version = Convert.ToInt32(await Scalar(db, "PRAGMA user_version;", cancellation), CultureInfo.InvariantCulture);
        var steps = SqliteMigrations.Steps;
        if (version > steps.Count)
            throw new InvalidOperationException($"the database '{databasePath}' has schema version {version}, newer than this program's {steps.Count}");
        for (var v = version; v < steps.Count; v++)
        {
            await using var tx = (SqliteTransaction)await db.BeginTransactionAsync(cancellation);
            await Exec(db, steps[v], cancellation, tx);
            await Exec(db, $"PRAGMA user_version = {v + 1};", cancellation, tx);
            await tx.CommitAsync(cancellation);
        }
    }

    public async Task<ConversationRecord> CreateConversationAsync(string title, CancellationToken cancellation = default)
    {
        var now = DateTimeOffset.UtcNow;
        var record = new ConversationRecord(NewId(), title, now, now);
        await using var db = await OpenAsync(cancellation);
        await Exec(db, "INSERT INTO conversations (id, title, created_at, updated_at) VALUES ($id, $title, $now, $now);", cancellation, null,
            ("$id", record.Id), ("$title", title), ("$now", Time(now)));
        return record;
    }

    public async Task<IReadOnlyList<ConversationRecord>> ListConversationsAsync(CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        return await Query(db, "SELECT id, title, created_at, updated_at FROM conversations ORDER BY updated_at DESC;", ReadConversation, cancellation);
    }

    public async Task<ConversationDetail?> GetConversationAsync(string id, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var conversation = (await Query(db, "SELECT id, title, created_at, updated_at FROM conversations WHERE id = $id;", ReadConversation, cancellation, ("$id", id))).FirstOrDefault();
        if (conversation is null) return null;
        var turns = await Query(db, $"{TurnColumns} WHERE conversation_id = $id ORDER BY turn_index;", ReadTurn, cancellation, ("$id", id));
        var attachments = await Query(db, $"{AttachmentColumns} WHERE turn_id IN (SELECT id FROM turns WHERE conversation_id = $id);", ReadAttachment, cancellation, ("$id", id));
        var tracks = await Query(db, $"{TrackColumns} WHERE conversation_id = $id ORDER BY created_at;", ReadTrack, cancellation, ("$id", id));
        return new ConversationDetail(conversation, turns, attachments, tracks);
    }

    public async Task<ConversationRecord?> RenameConversationAsync(string id, string title, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        await Exec(db, "UPDATE conversations SET title = $title, updated_at = $now WHERE id = $id;", cancellation, null,
            ("$id", id), ("$title", title), ("$now", Time(DateTimeOffset.UtcNow)));
        return (await Query(db, "SELECT id, title, created_at, updated_at FROM conversations WHERE id = $id;", ReadConversation, cancellation, ("$id", id))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<string>?> DeleteConversationAsync(string id, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var exists = await Scalar(db, "SELECT COUNT(*) FROM conversations WHERE id = $id;", cancellation, null, ("$id", id));
        if (Convert.ToInt64(exists, CultureInfo.InvariantCulture) == 0) return null;
        var keys = new List<string>();
        keys.AddRange(await Query(db, "SELECT file_key FROM attachments WHERE turn_id IN (SELECT id FROM turns WHERE conversation_id = $id);", r => r.GetString(0), cancellation, ("$id", id)));
        keys.AddRange(await Query(db, "SELECT file_key FROM tracks WHERE conversation_id = $id;", r => r.GetString(0), cancellation, ("$id", id)));
        // one statement: the turns, attachments and tracks go with it (ON DELETE CASCADE)
        await Exec(db, "DELETE FROM conversations WHERE id = $id;", cancellation, null, ("$id", id));
        return keys;
    }

    public async Task<TurnRecord> AddTurnAsync(string turnId, string conversationId, string userText, string? inputTrackId, double seconds, AttachmentRecord? attachment,
        CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        await using var tx = (SqliteTransaction)await db.BeginTransactionAsync(cancellation);
        var index = Convert.ToInt32(await Scalar(db, "SELECT COALESCE(MAX(turn_index) + 1, 0) FROM turns WHERE conversation_id = $c;", cancellation, tx, ("$c", conversationId)), CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow;
        var turn = new TurnRecord(turnId, conversationId, index, userText, "", TurnStatus.Queued, null, now, null, inputTrackId, seconds);
        await Exec(db, """
            INSERT INTO turns (id, conversation_id, turn_index, user_text, status, created_at, input_track_id, seconds)
            VALUES ($id, $c, $i, $text, $status, $now, $input, $seconds);
            UPDATE conversations SET updated_at = $now WHERE id = $c;
            """, cancellation, tx, ("$id", turn.Id), ("$c", conversationId), ("$i", index), ("$text", userText), ("$status", Status(TurnStatus.Queued)),
            ("$now", Time(now)), ("$input", inputTrackId), ("$seconds", seconds));
        if (attachment is not null)
            await Exec(db, "INSERT INTO attachments (id, turn_id, kind, media_type, file_name, file_key, bytes) VALUES ($id, $t, $k, $m, $n, $f, $b);", cancellation, tx,
                ("$id", attachment.Id), ("$t", turn.Id), ("$k", attachment.Kind), ("$m", attachment.MediaType), ("$n", attachment.FileName), ("$f", attachment.FileKey), ("$b", attachment.Bytes));
        await tx.CommitAsync(cancellation);
        return turn;
    }

    public async Task<string?> RemoveTurnAsync(string turnId, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var key = (await Query(db, "SELECT file_key FROM attachments WHERE turn_id = $id;", r => r.GetString(0), cancellation, ("$id", turnId))).FirstOrDefault();
        await Exec(db, "DELETE FROM turns WHERE id = $id;", cancellation, null, ("$id", turnId));
        return key;
    }

    public async Task<TurnRecord?> GetTurnAsync(string id, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        return (await Query(db, $"{TurnColumns} WHERE id = $id;", ReadTurn, cancellation, ("$id", id))).FirstOrDefault();
    }

    public async Task SetTurnStatusAsync(string id, TurnStatus status, string? replyText = null, string? error = null, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        var finished = status is TurnStatus.Done or TurnStatus.Failed or TurnStatus.Cancelled ? Time(DateTimeOffset.UtcNow) : null;
        await Exec(db, """
            UPDATE turns SET status = $s, reply_text = COALESCE($reply, reply_text), error = COALESCE($error, error), finished_at = COALESCE($f, finished_at)
            WHERE id = $id;
            """, cancellation, null, ("$id", id), ("$s", Status(status)), ("$reply", replyText), ("$error", error), ("$f", finished));
    }

    public async Task AddTrackAsync(TrackRecord t, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        await Exec(db, """
            INSERT INTO tracks (id, conversation_id, turn_id, file_key, seconds, sample_rate, channels, title, created_at)
            VALUES ($id, $c, $t, $f, $s, $r, $ch, $title, $now);
            """, cancellation, null, ("$id", t.Id), ("$c", t.ConversationId), ("$t", t.TurnId), ("$f", t.FileKey), ("$s", t.Seconds),
            ("$r", t.SampleRate), ("$ch", t.Channels), ("$title", t.Title), ("$now", Time(t.CreatedAt)));
    }

    public async Task<TrackRecord?> GetTrackAsync(string id, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        return (await Query(db, $"{TrackColumns} WHERE id = $id;", ReadTrack, cancellation, ("$id", id))).FirstOrDefault();
    }

    public async Task<AttachmentRecord?> GetAttachmentAsync(string id, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        return (await Query(db, $"{AttachmentColumns} WHERE id = $id;", ReadAttachment, cancellation, ("$id", id))).FirstOrDefault();
    }

    public async Task<int> FailInterruptedTurnsAsync(string reason, CancellationToken cancellation = default)
    {
        await using var db = await OpenAsync(cancellation);
        await using var cmd = Command(db, "UPDATE turns SET status = $failed, error = $reason, finished_at = $now WHERE status IN ($q, $r);", null,
            ("$failed", Status(TurnStatus.Failed)), ("$reason", reason), ("$now", Time(DateTimeOffset.UtcNow)),
            ("$q", Status(TurnStatus.Queued)), ("$r", Status(TurnStatus.Running)));
        return await cmd.ExecuteNonQueryAsync(cancellation);
    }

    private const string TurnColumns = "SELECT id, conversation_id, turn_index, user_text, reply_text, status, error, created_at, finished_at, input_track_id, seconds FROM turns";
    private const string AttachmentColumns = "SELECT id, turn_id, kind, media_type, file_name, file_key, bytes FROM attachments";
    private const string TrackColumns = "SELECT id, conversation_id, turn_id, file_key, seconds, sample_rate, channels, title, created_at FROM tracks";

    private static ConversationRecord ReadConversation(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)), ParseTime(r.GetString(3)));

    private static TurnRecord ReadTurn(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4),
        Enum.Parse<TurnStatus>(r.GetString(5), ignoreCase: true), r.IsDBNull(6) ? null : r.GetString(6), ParseTime(r.GetString(7)),
        r.IsDBNull(8) ? null : ParseTime(r.GetString(8)), r.IsDBNull(9) ? null : r.GetString(9), r.GetDouble(10));

    private static AttachmentRecord ReadAttachment(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6));

    private static TrackRecord ReadTrack(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4),
        r.GetInt32(5), r.GetInt32(6), r.GetString(7), ParseTime(r.GetString(8)));

    public static string NewId() => Guid.NewGuid().ToString("N");
    private static string Status(TurnStatus s) => s.ToString().ToLowerInvariant();
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static SqliteCommand Command(SqliteConnection db, string sql, SqliteTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static async Task Exec(SqliteConnection db, string sql, CancellationToken cancellation, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        await using var cmd = Command(db, sql, tx, args);
        await cmd.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<object?> Scalar(SqliteConnection db, string sql, CancellationToken cancellation, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        await using var cmd = Command(db, sql, tx, args);
        return await cmd.ExecuteScalarAsync(cancellation);
    }

    private static async Task<List<T>> Query<T>(SqliteConnection db, string sql, Func<SqliteDataReader, T> read, CancellationToken cancellation, params (string, object?)[] args)
    {
        await using var cmd = Command(db, sql, null, args);
        await using var reader = await cmd.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }
}
