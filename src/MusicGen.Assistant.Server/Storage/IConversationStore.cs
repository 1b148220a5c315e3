namespace MusicGen.Assistant.Server.Storage;

/// <summary>
/// Where conversations, turns, attachments and tracks live. The embedded default is SQLite
/// (<see cref="SqliteConversationStore"/>); a server database (issue 13's PostgreSQL) implements the same contract with
/// its own migrations. Files themselves are in an <see cref="IFileStore"/>; records hold their keys.
/// </summary>
public interface IConversationStore
{
    /// <summary>Creates or upgrades the schema to the current version.</summary>
    Task MigrateAsync(CancellationToken cancellation = default);

    Task<ConversationRecord> CreateConversationAsync(string title, CancellationToken cancellation = default);
    Task<IReadOnlyList<ConversationRecord>> ListConversationsAsync(CancellationToken cancellation = default);
    Task<ConversationDetail?> GetConversationAsync(string id, CancellationToken cancellation = default);
    Task<ConversationRecord?> RenameConversationAsync(string id, string title, CancellationToken cancellation = default);

    /// <summary>Deletes the conversation and its records; returns the file keys they held (null: no such conversation).</summary>
    Task<IReadOnlyList<string>?> DeleteConversationAsync(string id, CancellationToken cancellation = default);

    /// <summary>Adds a queued turn (and its attachment) at the end of the conversation.</summary>
    Task<TurnRecord> AddTurnAsync(string turnId, string conversationId, string userText, string? inputTrackId, double seconds, AttachmentRecord? attachment,
        CancellationToken cancellation = default);

    /// <summary>Removes a turn that never ran (the queue refused it); returns its attachment's file key.</summary>
    Task<string?> RemoveTurnAsync(string turnId, CancellationToken cancellation = default);

    Task<TurnRecord?> GetTurnAsync(string id, CancellationToken cancellation = default);
    Task SetTurnStatusAsync(string id, TurnStatus status, string? replyText = null, string? error = null, CancellationToken cancellation = default);

    Task AddTrackAsync(TrackRecord track, CancellationToken cancellation = default);
    Task<TrackRecord?> GetTrackAsync(string id, CancellationToken cancellation = default);
    Task<AttachmentRecord?> GetAttachmentAsync(string id, CancellationToken cancellation = default);

    /// <summary>
    /// At start-up: turns left queued or running by a process that stopped (a crash, a kill) are marked failed with
    /// that reason; returns how many.
    /// </summary>
    Task<int> FailInterruptedTurnsAsync(string reason, CancellationToken cancellation = default);
}
