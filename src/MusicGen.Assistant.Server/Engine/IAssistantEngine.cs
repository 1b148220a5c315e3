using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Generation;

using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Server.Engine;

/// <summary>
/// What the service needs from the assistant: answer one turn of a conversation, streaming what it makes as it goes.
/// The service queues turns, stores them and presents the events; the engine is the library's pipeline behind this
/// seam (so a queue on another machine, issue 13, runs the same engine in a worker process).
/// Calls come one at a time per worker thread and run synchronously there; cancellation stops them between steps.
/// </summary>
public interface IAssistantEngine
{
    /// <summary>The model set in use, for /health and the page's banner.</summary>
    EngineInfo Info { get; }

    /// <summary>Loads the models once (the first turn does it otherwise); safe to call again.</summary>
    void Load(CancellationToken cancellation);

    /// <summary>Answers <paramref name="turn"/>: reply text (streamed), progress, notices, audio as it is decoded, and the track written to <see cref="EngineTurn.TrackPath"/>.</summary>
    EngineReply Respond(EngineTurn turn, ITurnEventSink events, CancellationToken cancellation);
}

/// <summary>The model set behind the engine; an untrained one must be labelled wherever its output appears.</summary>
public sealed record EngineInfo(string ModelSet, bool Untrained, bool Loaded);

/// <summary>One earlier exchange of the conversation, oldest first.</summary>
public sealed record HistoryEntry(string UserText, string ReplyText, string? TrackPath);

/// <summary>A file given with the turn, already checked to be the media it claims.</summary>
public sealed record EngineAttachment(string Path, AttachmentKind Kind, string DisplayName);

/// <summary>A turn to answer.</summary>
/// <param name="InputTrackPath">A track sent back explicitly as this turn's input (an edit of it).</param>
/// <param name="TrackPath">Where a rendered track is written (WAV); the file must not exist unless a track was made.</param>
/// <param name="Seconds">Seconds of new music; null: the service's default.</param>
/// <param name="WordsOnly">Answer in words: the [AUD] tokens are never sampled, no track is made.</param>
public sealed record EngineTurn(
    IReadOnlyList<HistoryEntry> History, string Text, EngineAttachment? Attachment, string? InputTrackPath, string TrackPath,
    double Seconds, ulong? Seed, bool WordsOnly = false);

/// <summary>What a turn gave: the whole reply text and the track, if one was made.</summary>
public sealed record EngineReply(string Text, RenderedTrackFile? Track);

/// <summary>A written track file.</summary>
public sealed record RenderedTrackFile(string Path, double Seconds, int SampleRate, int Channels, string Title);

/// <summary>Where a turn's events go as they happen (on the worker's thread).</summary>
public interface ITurnEventSink
{
    void Text(string delta);
    void Progress(JobProgress progress);
    void Notice(string text);
    void Audio(AudioChunk chunk);
}
