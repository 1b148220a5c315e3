using MusicGen.Assistant.Server.Engine;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// A queued turn: what the engine needs (paths of stored files, the history) and where its events go. It carries ids
/// and paths only, so a queue on another machine (issue 13) can carry it as a message.
/// </summary>
public sealed record TurnJob(string TurnId, string ConversationId, EngineTurn Turn, string TrackKey);
