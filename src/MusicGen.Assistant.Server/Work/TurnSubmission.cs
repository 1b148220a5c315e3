using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Server.Engine;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// A turn as a front end received it: text, at most one uploaded file, an earlier track to work on, a length; History:
/// given by the client (OpenAI-style) instead of the stored conversation's; WordsOnly: an answer that renders no music.
/// </summary>
public sealed record TurnSubmission(string ConversationId, string? Text, UploadedFile? Upload = null, string? InputTrackId = null, double? Seconds = null,
    ulong? Seed = null, IReadOnlyList<HistoryEntry>? History = null, bool WordsOnly = false);

/// <summary>An uploaded file as the request gave it: the client's name (shown, never used as a path), its claimed kind, its bytes.</summary>
public sealed record UploadedFile(string FileName, string MediaType, AttachmentKind? Kind, long Length, Func<Stream> Open);
