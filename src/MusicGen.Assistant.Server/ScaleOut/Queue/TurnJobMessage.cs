using System.Text.Json;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>
/// A turn job as it travels in Redis: ids, text, and the addresses (content hashes) of the files it reads, never a
/// node's local paths; the worker resolves the addresses in the shared store (checking each file's hash) and renders
/// into its own scratch file.
/// </summary>
public sealed record TurnJobMessage(
    string TurnId, string ConversationId, string Text, double Seconds, ulong? Seed, TurnJobMessage.FileRef? Attachment, string? InputTrack,
    IReadOnlyList<TurnJobMessage.PastTurn> History, bool WordsOnly = false)
{
    public sealed record FileRef(string Address, AttachmentKind Kind, string DisplayName);

    public sealed record PastTurn(string UserText, string ReplyText, string? Track);

    public static TurnJobMessage From(TurnJob job, ContentAddressedFileStore files)
    {
        var t = job.Turn;
        return new TurnJobMessage(job.TurnId, job.ConversationId, t.Text, t.Seconds, t.Seed,
            t.Attachment is { } a ? new FileRef(files.AddressOf(a.Path), a.Kind, a.DisplayName) : null,
            t.InputTrackPath is { } input ? files.AddressOf(input) : null,
            t.History.Select(h => new PastTurn(h.UserText, h.ReplyText, h.TrackPath is { } p ? files.AddressOf(p) : null)).ToList(), t.WordsOnly);
    }

    /// <summary>The engine's view of the turn on this node: paths of the checked shared files, the track written to <paramref name="trackPath"/>.</summary>
    public EngineTurn ToTurn(ContentAddressedFileStore files, string trackPath) => new(
        History.Select(h => new HistoryEntry(h.UserText, h.ReplyText, h.Track is { } k ? files.PathOf(k) : null)).ToList(),
        Text, Attachment is { } a ? new EngineAttachment(files.PathOf(a.Address), a.Kind, a.DisplayName) : null,
        InputTrack is { } input ? files.PathOf(input) : null, trackPath, Seconds, Seed, WordsOnly);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static TurnJobMessage Parse(string json) =>
        JsonSerializer.Deserialize<TurnJobMessage>(json, JsonSerializerOptions.Web) ?? throw new JsonException("the job's payload is empty");
}
