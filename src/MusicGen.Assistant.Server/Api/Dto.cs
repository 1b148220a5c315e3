using System.Buffers.Binary;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.Api;

public sealed record ConversationDto(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
public sealed record ConversationDetailDto(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TurnDto> Turns);
public sealed record AttachmentDto(string Id, string Kind, string MediaType, string FileName, long Bytes, string Url);
public sealed record TrackDto(string Id, string ConversationId, string TurnId, double Seconds, int SampleRate, int Channels, string Title, string Url, string DownloadUrl);
public sealed record TurnDto(
    string Id, string ConversationId, int Index, string Text, string Reply, string Status, string? Error, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt, string? InputTrackId, IReadOnlyList<AttachmentDto> Attachments, IReadOnlyList<TrackDto> Tracks, string EventsUrl);
public sealed record TurnAcceptedDto(TurnDto Turn, string EventsUrl, string CancelUrl);
public sealed record ProgressDto(string Stage, string Unit, long Done, long Total, double Fraction, double ElapsedSeconds, double? RemainingSeconds, bool Finished);
public sealed record AudioChunkDto(long Offset, int SampleRate, int Channels, int Frames, bool Last, string Pcm16);
public sealed record TextDto(string Text);
public sealed record CreateConversationRequest(string? Title);
public sealed record RenameConversationRequest(string? Title);

/// <summary>How records and events look on the wire (JSON, camelCase); URLs are relative to the service.</summary>
public static class Dto
{
    public static ConversationDto Conversation(ConversationRecord c) => new(c.Id, c.Title, c.CreatedAt, c.UpdatedAt);

    public static ConversationDetailDto Detail(ConversationDetail d) => new(d.Conversation.Id, d.Conversation.Title, d.Conversation.CreatedAt,
        d.Conversation.UpdatedAt, d.Turns.Select(t => Turn(t, d.Attachments, d.Tracks)).ToList());

    public static TurnDto Turn(TurnRecord t, IEnumerable<AttachmentRecord> attachments, IEnumerable<TrackRecord> tracks) => new(
        t.Id, t.ConversationId, t.Index, t.UserText, t.ReplyText, t.Status.ToString().ToLowerInvariant(), t.Error, t.CreatedAt, t.FinishedAt,
        t.InputTrackId, attachments.Where(a => a.TurnId == t.Id).Select(Attachment).ToList(), tracks.Where(k => k.TurnId == t.Id).Select(Track).ToList(),
        $"/api/turns/{t.Id}/events");

    public static AttachmentDto Attachment(AttachmentRecord a) => new(a.Id, a.Kind, a.MediaType, a.FileName, a.Bytes, $"/api/attachments/{a.Id}");

    public static TrackDto Track(TrackRecord t) => new(t.Id, t.ConversationId, t.TurnId, t.Seconds, t.SampleRate, t.Channels, t.Title,
        $"/api/tracks/{t.Id}", $"/api/tracks/{t.Id}?download=true");

    public static ProgressDto Progress(JobProgress p) => new(p.Stage, p.Unit, p.Done, p.Total, p.Fraction, p.Elapsed.TotalSeconds, p.Remaining?.TotalSeconds, p.Finished);

    /// <summary>A decoded piece of audio as 16-bit little-endian PCM, channels interleaved, in base64 (what the page's Web Audio plays).</summary>
    public static AudioChunkDto Audio(AudioChunk c)
    {
        var frames = c.FrameCount;
        var channels = c.Channels.Length;
        var bytes = new byte[frames * channels * 2];
        for (var i = 0; i < frames; i++)
            for (var ch = 0; ch < channels; ch++)
            {
                var v = Math.Clamp(c.Channels[ch][i], -1f, 1f);
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan((i * channels + ch) * 2), (short)MathF.Round(v * 32767f));
            }
        return new AudioChunkDto(c.Offset, c.SampleRate, channels, frames, c.Last, Convert.ToBase64String(bytes));
    }
}
