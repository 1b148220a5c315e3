namespace MusicGen.Assistant.Server.Storage;

/// <summary>
/// The SQLite schema, one step per version (PRAGMA user_version says which ran). Steps are only ever appended: a
/// database of any earlier version is brought forward in order, each step in its own transaction.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<string> Steps =
    [
        // 1: conversations, turns, attachments, tracks
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE turns (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            turn_index INTEGER NOT NULL,
            user_text TEXT NOT NULL,
            reply_text TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            input_track_id TEXT,
            seconds REAL NOT NULL
        );
        CREATE INDEX turns_by_conversation ON turns(conversation_id, turn_index);
        CREATE INDEX turns_by_status ON turns(status);
        CREATE TABLE attachments (
            id TEXT PRIMARY KEY,
            turn_id TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            media_type TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_key TEXT NOT NULL,
            bytes INTEGER NOT NULL
        );
        CREATE TABLE tracks (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            turn_id TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            file_key TEXT NOT NULL,
            seconds REAL NOT NULL,
            sample_rate INTEGER NOT NULL,
            channels INTEGER NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ];
}
