namespace MusicGen.Assistant.Server.Storage;

/// <summary>The state of a turn: waiting in the queue, being answered, answered, failed (error says why) or cancelled.</summary>
public enum TurnStatus
{
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

public sealed record ConversationRecord(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <param name="InputTrackId">A track of this conversation sent back as the turn's input (an edit of it).</param>
public sealed record TurnRecord(
    string Id, string ConversationId, int Index, string UserText, string ReplyText, TurnStatus Status, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? InputTrackId, double Seconds);

/// <summary>An uploaded file: stored under <see cref="FileKey"/> (a generated name); the client's name is only shown.</summary>
public sealed record AttachmentRecord(string Id, string TurnId, string Kind, string MediaType, string FileName, string FileKey, long Bytes);

public sealed record TrackRecord(
    string Id, string ConversationId, string TurnId, string FileKey, double Seconds, int SampleRate, int Channels, string Title,
    DateTimeOffset CreatedAt);

/// <summary>A conversation with everything in it, turns in order.</summary>
public sealed record ConversationDetail(
    ConversationRecord Conversation, IReadOnlyList<TurnRecord> Turns, IReadOnlyList<AttachmentRecord> Attachments, IReadOnlyList<TrackRecord> Tracks);
