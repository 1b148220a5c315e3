using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Hosting;

namespace MusicGen.Assistant.Server.Engine;

/// <summary>
/// The engine on the library's conversation pipeline: the assistant set (a converted M2UGen set, or the embedded
/// UNTRAINED demo assistant) is loaded once; each turn restores its conversation's history into an
/// <see cref="AssistantConversation"/>, sends the message with its attachment (a track sent back for an edit goes in
/// as the audio attachment) and forwards the pipeline's events as they come.
/// </summary>
public sealed class ConversationEngine(ServerOptions options) : IAssistantEngine, IDisposable
{
    private readonly Lock _loadGate = new();
    private AssistantModelSet? _set;

    public EngineInfo Info => _set is { } s
        ? new EngineInfo(s.Name, s.IsUntrained, true)
        : new EngineInfo(string.IsNullOrWhiteSpace(options.ModelSet) ? "embedded demo assistant (UNTRAINED)" : options.ModelSet, string.IsNullOrWhiteSpace(options.ModelSet), false);

    public void Load(CancellationToken cancellation) => Loaded(cancellation);

    private AssistantModelSet Loaded(CancellationToken cancellation)
    {
        lock (_loadGate)
        {
            if (_set is not null) return _set;
            var resolved = AssistantSetSource.Resolve(string.IsNullOrWhiteSpace(options.ModelSet) ? null : options.ModelSet, null, cancellation);
            return _set = AssistantModelSet.Load(resolved.Manifest, new ComputeOptions(ParseBackend(options.Backend), options.Threads,
                kvCache: ComputeOptions.ParseKvCache(options.KvCache)));
        }
    }

    public EngineReply Respond(EngineTurn turn, ITurnEventSink events, CancellationToken cancellation)
    {
        var set = Loaded(cancellation);
        var conversation = new AssistantConversation(set);
        conversation.Restore(turn.History.Select(h => new ConversationTurn(h.UserText, h.ReplyText, h.TrackPath is not null, [], h.TrackPath)));
        var attachments = new List<Conversations.TurnAttachment>();
        if (turn.InputTrackPath is { } input) attachments.Add(Conversations.TurnAttachment.FromFile(input, AttachmentKind.Audio));
        if (turn.Attachment is { } a) attachments.Add(Conversations.TurnAttachment.FromFile(a.Path, a.Kind));
        var request = new TurnRequest
        {
            Text = turn.Text,
            Attachments = attachments,
            Options = new TurnOptions { DurationSeconds = turn.Seconds, Seed = turn.Seed, TrackPath = turn.TrackPath, StreamAudio = true, WordsOnly = turn.WordsOnly },
        };
        AssistantTrack? track = null;
        string text = "";
        foreach (var e in conversation.SendAsync(request, cancellation).ToBlockingEnumerable(cancellation))
        {
            switch (e)
            {
                case ReplyTextDelta d: events.Text(d.Text); break;
                case TurnProgress p: events.Progress(new JobProgress(p.Stage, p.Unit, p.Done, p.Total, p.Elapsed, p.Remaining, p.Finished)); break;
                case TurnNotice n: events.Notice(n.Message); break;
                case TrackAudio c: events.Audio(c.Chunk); break;
                case TrackRendered r: track = r.Track; break;
                case TurnCompleted done: text = done.Reply.Text; track ??= done.Reply.Track; break;
            }
        }
        return new EngineReply(text, track is { Path: { } path }
            ? new RenderedTrackFile(path, track.Seconds, track.SampleRate, track.Channels, Title(turn))
            : null);
    }

    private static string Title(EngineTurn turn) =>
        string.IsNullOrWhiteSpace(turn.Text) ? "untitled" : turn.Text.Length <= 60 ? turn.Text.Trim() : turn.Text.Trim()[..60] + "...";

    public static BackendKind ParseBackend(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "cpu" => BackendKind.Cpu,
        "gpu" or "cuda" => BackendKind.Gpu,
        "auto" => BackendKind.Auto,
        _ => throw new InvalidOperationException($"Assistant:Backend '{name}' is not cpu, gpu or auto"),
    };

    public void Dispose() => _set?.Dispose();
}
