using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// Takes a turn in, for every front end (the page's API, OpenAI chat completions, MCP tools): checks it, stores the
/// upload under a generated name after checking its bytes are the media they claim, records the turn and queues it.
/// Whatever it refuses leaves nothing behind: no record, no file.
/// </summary>
public sealed class TurnService(IConversationStore store, IFileStore files, IJobQueue queue, ITurnEventHub hub, ServiceMetrics metrics, ServerOptions options)
{
    public async Task<(Storage.TurnRecord Turn, ILiveTurn Live)> SubmitAsync(TurnSubmission s, CancellationToken cancellation)
    {
        var limits = options.Limits;
        var text = s.Text?.Trim() ?? "";
        if (text.Length == 0 && s.Upload is null && s.InputTrackId is null)
            throw new TurnRefusedException(400, "Empty message", "the message is empty: write what you want to hear, or attach a file");
        if (text.Length > limits.MaxMessageChars)
            throw new TurnRefusedException(400, "Message too long", $"the message has {text.Length} characters; the limit is {limits.MaxMessageChars}");
        var seconds = s.Seconds ?? limits.DefaultSeconds;
        if (!(seconds > 0 && seconds <= limits.MaxSeconds))
            throw new TurnRefusedException(400, "Invalid length", $"seconds must be above 0 and at most {limits.MaxSeconds:0.##}; got {seconds}");
        var conversation = await store.GetConversationAsync(s.ConversationId, cancellation)
            ?? throw new TurnRefusedException(404, "Unknown conversation", $"there is no conversation with id '{s.ConversationId}'");
        string? inputPath = null;
        if (s.InputTrackId is { } trackId)
        {
            var track = conversation.Tracks.FirstOrDefault(t => t.Id == trackId)
                ?? throw new TurnRefusedException(404, "Unknown track", $"conversation '{s.ConversationId}' has no track with id '{trackId}'");
            inputPath = files.PathOf(track.FileKey);
        }
        if (inputPath is not null && s.Upload is { } both && (s.Upload.Kind ?? KindOf(s.Upload.MediaType)) == AttachmentKind.Audio)
            throw new TurnRefusedException(400, "Two audio inputs", $"the turn sends track '{s.InputTrackId}' back and attaches the audio '{both.FileName}'; a turn takes one audio input");
        if (queue.Depth >= queue.Capacity) throw Full();

        var turnId = SqliteConversationStore.NewId();
        AttachmentRecord? attachment = null;
        EngineAttachment? turnAttachment = null;
        if (s.Upload is { } upload)
        {
            (attachment, turnAttachment) = await StoreUploadAsync(turnId, upload, cancellation);
        }
        var trackKey = files.NewKey("tracks", ".wav");
        Storage.TurnRecord turn;
        try
        {
            turn = await store.AddTurnAsync(turnId, s.ConversationId, text, s.InputTrackId, seconds, attachment, cancellation);
        }
        catch
        {
            if (attachment is not null) files.Delete(attachment.FileKey);
            throw;
        }

        var history = s.History ?? conversation.Turns.Where(t => t.Status == TurnStatus.Done)
            .Select(t => new HistoryEntry(t.UserText, t.ReplyText, conversation.Tracks.Where(k => k.TurnId == t.Id).Select(k => files.PathOf(k.FileKey)).FirstOrDefault()))
            .ToList();
        var job = new TurnJob(turn.Id, s.ConversationId, new EngineTurn(history, text, turnAttachment, inputPath, files.PathOf(trackKey), seconds, s.Seed, s.WordsOnly), trackKey);
        var live = hub.Open(turn.Id);
        live.Publish(new TurnEvent("status", new { state = "queued", position = queue.Depth + 1 }));
        bool queued;
        try { queued = queue.TryEnqueue(job); }
        catch
        {
            // a queue that is away (a shared one restarting) refuses with its own error; the turn leaves nothing behind
            await store.RemoveTurnAsync(turn.Id, CancellationToken.None);
            if (attachment is not null) files.Delete(attachment.FileKey);
            hub.Forget(live);
            throw;
        }
        if (!queued)
        {
            await store.RemoveTurnAsync(turn.Id, CancellationToken.None);
            if (attachment is not null) files.Delete(attachment.FileKey);
            hub.Forget(live);
            throw Full();
        }
        return (turn, live);
    }

    private TurnRefusedException Full()
    {
        metrics.Rejected();
        var wait = Math.Ceiling((queue.Depth + 1) * (metrics.AverageGenerationSeconds ?? 10));
        return new TurnRefusedException(429, "Queue full", $"{queue.Depth} turns are waiting (the limit is {queue.Capacity}); try again later",
            TimeSpan.FromSeconds(Math.Clamp(wait, 1, 3600)));
    }

    private async Task<(AttachmentRecord, EngineAttachment)> StoreUploadAsync(string turnId, UploadedFile upload, CancellationToken cancellation)
    {
        var limits = options.Limits;
        if (upload.Length > limits.MaxUploadBytes)
            throw new TurnRefusedException(413, "Upload too large", $"'{upload.FileName}' is {upload.Length} bytes; the limit is {limits.MaxUploadBytes}");
        if (upload.Length == 0) throw new TurnRefusedException(400, "Empty upload", $"'{upload.FileName}' is empty");
        var kind = upload.Kind ?? KindOf(upload.MediaType)
            ?? throw new TurnRefusedException(415, "Unknown media type", $"say whether '{upload.FileName}' is audio, image or video (its type '{upload.MediaType}' does not)");
        var head = new byte[64];
        int n;
        await using (var stream = upload.Open()) n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellation);
        var container = MediaSignatures.Detect(head.AsSpan(0, n));
        var key = files.NewKey("uploads", container?.Extension() ?? ".bin");
        var path = files.PathOf(key);
        try
        {
            await using (var source = upload.Open())
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                await source.CopyToAsync(target, cancellation);
            var info = await Task.Run(() => UploadedMedia.Verify(path, kind, upload.FileName, cancellation), cancellation);
            key = files.Seal(key);
            path = files.PathOf(key);
            var record = new AttachmentRecord(SqliteConversationStore.NewId(), turnId, UploadedMedia.Name(kind), upload.MediaType, Path.GetFileName(upload.FileName), key, upload.Length);
            return (record, new EngineAttachment(path, kind, record.FileName));
        }
        catch (AssistantException e)
        {
            files.Delete(key);
            throw new TurnRefusedException(e.Kind == AssistantErrorKind.Runtime ? 503 : 422, "Unreadable upload", e.Message);
        }
        catch
        {
            files.Delete(key);
            throw;
        }
    }

    public static AttachmentKind? KindOf(string? mediaType) => mediaType?.Split('/')[0].Trim().ToLowerInvariant() switch
    {
        "audio" => AttachmentKind.Audio,
        "image" => AttachmentKind.Image,
        "video" => AttachmentKind.Video,
        _ => null,
    };
}
