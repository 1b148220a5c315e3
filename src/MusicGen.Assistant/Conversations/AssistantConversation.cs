using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Conversations;

/// <summary>What a conversation keeps across turns and where its tracks go.</summary>
public sealed record ConversationOptions
{
    /// <summary>Options of every turn that brings none.</summary>
    public TurnOptions Defaults { get; init; } = new();

    /// <summary>Folder for the tracks (created when needed); null: tracks stay in memory unless a turn names a file.</summary>
    public string? TrackFolder { get; init; }

    /// <summary>Folder holding the prompt template files; null: <see cref="PromptTemplate.Load"/>'s search.</summary>
    public string? PromptFolder { get; init; }
}

/// <summary>
/// A conversation with an assistant set: its history (each finished turn's message and reply, carried into later
/// prompts as the template lays them out, oldest dropped first when the context is full) and its last track.
/// One turn at a time per conversation (a second <see cref="SendAsync"/> while one runs is refused); many conversations
/// may share one loaded set, whose gate runs their turns one after another. The library writes nothing to the console.
/// </summary>
public sealed class AssistantConversation
{
    private readonly List<ConversationTurn> _history = [];
    private int _running;
    private int _turns;

    public AssistantConversation(AssistantModelSet set, ConversationOptions? options = null)
    {
        Set = set ?? throw new ArgumentNullException(nameof(set));
        Options = options ?? new ConversationOptions();
        Template = PromptTemplate.Load(Options.PromptFolder);
    }

    public AssistantModelSet Set { get; }
    public ConversationOptions Options { get; }
    public PromptTemplate Template { get; }

    /// <summary>The finished turns, oldest first.</summary>
    public IReadOnlyList<ConversationTurn> History => _history;

    /// <summary>The last track rendered in this conversation (what <see cref="TurnRequest.UseLastTrack"/> feeds back).</summary>
    public AudioBuffer? LastTrackAudio { get; private set; }
    public AssistantTrack? LastTrack { get; private set; }

    /// <summary>The last finished turn's diagnostics (prompt ids, [AUD] states, projector output), for tests.</summary>
    internal TurnDiagnostics? LastDiagnostics { get; private set; }

    /// <summary>
    /// Starts from earlier turns (e.g. a chat client's message list, a stored conversation) and, optionally, a last
    /// track. A turn that made music and does not say how [AUD0..7] are spelled gets this set's spelling, so it re-enters
    /// later prompts with its music tokens as a turn of this conversation does.
    /// </summary>
    public void Restore(IEnumerable<ConversationTurn> earlier, AudioBuffer? lastTrack = null)
    {
        EnsureIdle();
        _history.Clear();
        _history.AddRange(earlier.Select(t => t.HadMusic && t.AudioTokens is null ? t with { AudioTokens = Set.Parts.AudioTokens } : t));
        _turns = _history.Count;
        LastTrackAudio = lastTrack;
    }

    /// <summary>Forgets the history and the last track (<c>/new</c>).</summary>
    public void Reset() => Restore([]);

    /// <summary>
    /// Runs one turn on a worker thread and streams its events as they come; the last one is <see cref="TurnCompleted"/>.
    /// Errors surface as <see cref="AssistantException"/> (typed) or <see cref="OperationCanceledException"/> from the
    /// enumeration. Stopping the enumeration early cancels the turn; either way the history changes only when the turn
    /// completes, and no partial file is left.
    /// </summary>
    public async IAsyncEnumerable<TurnEvent> SendAsync(TurnRequest request, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Interlocked.Exchange(ref _running, 1) == 1)
            throw AssistantException.InvalidRequest("a turn is already running in this conversation; wait for it or cancel it");
        var events = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var turn = _turns + 1;
        var history = _history.ToList();
        var worker = Task.Run(() =>
        {
            try
            {
                var outcome = TurnPipeline.Run(Set, Template, history, request, request.Options ?? Options.Defaults, turn,
                    LastTrackAudio, Options.TrackFolder, e => events.Writer.TryWrite(e), stop.Token);
                Remember(outcome, turn);
            }
            finally
            {
                events.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None)) yield return e;
            await worker; // the turn's own exception (typed, or cancelled), not the channel's
        }
        finally
        {
            stop.Cancel(); // a consumer that stopped early cancels the turn
            try { await worker; } catch (Exception) when (!worker.IsCompletedSuccessfully) { /* reported above, or the consumer left */ }
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Runs one turn to the end; <paramref name="events"/> sees every event. Returns the reply.</summary>
    public async Task<AssistantReply> AskAsync(TurnRequest request, IProgress<TurnEvent>? events = null, CancellationToken cancellation = default)
    {
        AssistantReply? reply = null;
        await foreach (var e in SendAsync(request, cancellation))
        {
            events?.Report(e);
            if (e is TurnCompleted done) reply = done.Reply;
        }
        return reply ?? throw new InvalidOperationException("the turn ended without a reply");
    }

    private void Remember(TurnOutcome outcome, int turn)
    {
        _history.Add(outcome.Remembered);
        _turns = turn;
        if (outcome.TrackAudio is not null) (LastTrackAudio, LastTrack) = (outcome.TrackAudio, outcome.Reply.Track);
        LastDiagnostics = outcome.Diagnostics;
    }

    private void EnsureIdle()
    {
        if (Volatile.Read(ref _running) == 1) throw AssistantException.InvalidRequest("a turn is running in this conversation");
    }
}
