using Npgsql;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Postgres;

/// <summary>Columns, row readers and the command helpers of the PostgreSQL store.</summary>
public sealed partial class PostgresConversationStore
{
    private const string ConversationColumns = "SELECT id, title, created_at, updated_at FROM conversations";
    private const string TurnColumns = "SELECT id, conversation_id, turn_index, user_text, reply_text, status, error, created_at, finished_at, input_track_id, seconds FROM turns";
    private const string AttachmentColumns = "SELECT id, turn_id, kind, media_type, file_name, file_key, bytes FROM attachments";
    private const string TrackColumns = "SELECT id, conversation_id, turn_id, file_key, seconds, sample_rate, channels, title, created_at FROM tracks";

    private static ConversationRecord ReadConversation(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateTimeOffset>(3));

    private static TurnRecord ReadTurn(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4),
        Enum.Parse<TurnStatus>(r.GetString(5), ignoreCase: true), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
        r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetDouble(10));

    private static AttachmentRecord ReadAttachment(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6));

    private static TrackRecord ReadTrack(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4),
        r.GetInt32(5), r.GetInt32(6), r.GetString(7), r.GetFieldValue<DateTimeOffset>(8));

    private static string Status(TurnStatus s) => s.ToString().ToLowerInvariant();

    // microseconds: what timestamptz keeps, so a record read back equals the one written
    private static DateTimeOffset Now()
    {
        var t = DateTimeOffset.UtcNow;
        return new DateTimeOffset(t.Ticks - t.Ticks % 10, TimeSpan.Zero);
    }

    private static NpgsqlCommand Command(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var cmd = new NpgsqlCommand(sql, db, tx);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static async Task<int> Exec(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, CancellationToken cancellation, params (string, object?)[] args)
    {
        await using var cmd = Command(db, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<object?> Scalar(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, CancellationToken cancellation, params (string, object?)[] args)
    {
        await using var cmd = Command(db, tx, sql, args);
        var value = await cmd.ExecuteScalarAsync(cancellation);
        return value is DBNull ? null : value;
    }

    private static async Task<List<T>> Query<T>(NpgsqlConnection db, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellation, params (string, object?)[] args)
    {
        await using var cmd = Command(db, null, sql, args);
        await using var reader = await cmd.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }
}
