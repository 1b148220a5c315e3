namespace MusicGen.Assistant.Server.ScaleOut.Postgres;

/// <summary>
/// The PostgreSQL schema, one step per version (table schema_migrations says which ran). Steps are only ever appended;
/// <see cref="PostgresConversationStore.MigrateAsync"/> applies the missing ones in order, each in its own transaction
/// under an advisory lock, so nodes starting together apply each step once.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>Key of the advisory lock that serializes migrations (any fixed number unique to this schema).</summary>
    public const long LockKey = 0x6D67615F736368; // "mga_sch"

    public static readonly IReadOnlyList<string> Steps =
    [
        // 1: conversations, turns, attachments, tracks (as the SQLite schema), and the job records of the queue
        """
        CREATE TABLE conversations (
            id text PRIMARY KEY,
            title text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE TABLE turns (
            id text PRIMARY KEY,
            conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            turn_index integer NOT NULL,
            user_text text NOT NULL,
            reply_text text NOT NULL DEFAULT '',
            status text NOT NULL,
            error text,
            created_at timestamptz NOT NULL,
            finished_at timestamptz,
            input_track_id text,
            seconds double precision NOT NULL
        );
        CREATE INDEX turns_by_conversation ON turns(conversation_id, turn_index);
        CREATE INDEX turns_by_status ON turns(status);
        CREATE TABLE attachments (
            id text PRIMARY KEY,
            turn_id text NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            kind text NOT NULL,
            media_type text NOT NULL,
            file_name text NOT NULL,
            file_key text NOT NULL,
            bytes bigint NOT NULL
        );
        CREATE INDEX attachments_by_turn ON attachments(turn_id);
        CREATE TABLE tracks (
            id text PRIMARY KEY,
            conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            turn_id text NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            file_key text NOT NULL,
            seconds double precision NOT NULL,
            sample_rate integer NOT NULL,
            channels integer NOT NULL,
            title text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX tracks_by_conversation ON tracks(conversation_id, created_at);
        CREATE TABLE jobs (
            id text PRIMARY KEY,
            turn_id text REFERENCES turns(id) ON DELETE CASCADE,
            kind text NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            worker text,
            finished_by text,
            error text,
            created_at timestamptz NOT NULL,
            started_at timestamptz,
            finished_at timestamptz
        );
        CREATE INDEX jobs_by_status ON jobs(status);
        """,
    ];
}
