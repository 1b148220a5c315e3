using System.Text.Json.Serialization;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// What a turn reports while it runs, in order: <see cref="TurnStarted"/>, then <see cref="TurnProgress"/>,
/// <see cref="ReplyTextDelta"/> and <see cref="TurnNotice"/> as they happen, <see cref="TrackRendered"/> when the reply
/// held [AUD0..7] and the track is ready, and <see cref="TurnCompleted"/> last. Plain records, serializable with
/// System.Text.Json (the "type" property names the event), so a service can forward them as they come.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TurnStarted), "started")]
[JsonDerivedType(typeof(TurnProgress), "progress")]
[JsonDerivedType(typeof(ReplyTextDelta), "text")]
[JsonDerivedType(typeof(TurnNotice), "notice")]
[JsonDerivedType(typeof(TrackAudio), "audio")]
[JsonDerivedType(typeof(TrackRendered), "track")]
[JsonDerivedType(typeof(TurnCompleted), "completed")]
public abstract record TurnEvent(int Turn);

/// <param name="PromptTokens">Tokens of the prompt (template, kept history and this message).</param>
/// <param name="HistoryTurns">Earlier turns the prompt carries.</param>
/// <param name="Untrained">The set is the untrained demo: label everything shown.</param>
public sealed record TurnStarted(int Turn, int PromptTokens, int ContextLength, int HistoryTurns, IReadOnlyList<string> Attachments,
    string ModelSet, bool Untrained) : TurnEvent(Turn);

/// <summary>A stage's progress ("encode audio", "reply", "generate", "decode"), with the time left when it can be estimated.</summary>
public sealed record TurnProgress(int Turn, string Stage, string Unit, long Done, long Total, double Fraction,
    TimeSpan Elapsed, TimeSpan? Remaining, bool Finished) : TurnEvent(Turn);

/// <summary>New reply text (the [AUD] tokens are not text: they show as the track).</summary>
public sealed record ReplyTextDelta(int Turn, string Text) : TurnEvent(Turn);

[JsonConverter(typeof(JsonStringEnumConverter<NoticeKind>))]
public enum NoticeKind
{
    /// <summary>The oldest turns were left out of the prompt to fit the context.</summary>
    HistoryTrimmed,

    /// <summary>The reply budget is smaller than asked: the context is nearly full.</summary>
    ReplyShortened,

    /// <summary>An attachment's modality cannot change the reply (all its adapter gates are zero, as in the released checkpoints).</summary>
    AttachmentIgnoredByModel,

    /// <summary>Some [AUD] tokens came, but not all eight in order: no music (as the original).</summary>
    IncompleteMusicTokens,

    /// <summary>The model set is the untrained demo.</summary>
    Untrained,

    /// <summary>The track's level was lowered to keep its peaks below full scale.</summary>
    LevelLowered,

    /// <summary>Anything else worth telling.</summary>
    Info,
}

public sealed record TurnNotice(int Turn, NoticeKind Kind, string Message) : TurnEvent(Turn);

/// <summary>
/// A piece of the track as soon as it is decoded (before any level change of the finished file), in order and without
/// gaps, so a player can start while the rest is generated (<see cref="Generation.AudioChunk"/>).
/// </summary>
public sealed record TrackAudio(int Turn, Generation.AudioChunk Chunk) : TurnEvent(Turn);

public sealed record TrackRendered(int Turn, AssistantTrack Track) : TurnEvent(Turn);

public sealed record TurnCompleted(int Turn, AssistantReply Reply) : TurnEvent(Turn);

/// <summary>A rendered track: where it was written (null when the conversation writes no files), its length and how it was made.</summary>
/// <param name="Conditioning">"projector" or "text".</param>
/// <param name="MusicPrompt">The text MusicGen was prompted with on the text path (the decoded reply, [AUD] tokens included, as M2UGen's HEAD).</param>
public sealed record AssistantTrack(string? Path, double Seconds, int SampleRate, int Channels, string Conditioning,
    string? MusicPrompt, double PeakDbfs, ulong Seed, bool Untrained);

/// <summary>The finished reply.</summary>
/// <param name="Text">What to show: the reply cut at its first newline, without the [AUD] tokens.</param>
/// <param name="DecodedText">generate()'s decoded text, [AUD] tokens included (joined with spaces, as the tokenizer decodes them).</param>
/// <param name="TokenIds">Every generated token id (past the newline cut too), as generate() produced them.</param>
/// <param name="StopReason">"marker" ("\n###" came), "length" (max new tokens) or "context" (the context is full).</param>
public sealed record AssistantReply(string Text, string DecodedText, IReadOnlyList<int> TokenIds, int PromptTokens, bool HasMusic,
    AssistantTrack? Track, string StopReason, ulong Seed, bool Untrained, TurnTimings Timings);

/// <summary>Seconds spent per stage of a turn.</summary>
public sealed record TurnTimings(double EncodeSeconds, double ReplySeconds, double RenderSeconds)
{
    public double TotalSeconds => EncodeSeconds + ReplySeconds + RenderSeconds;
}
