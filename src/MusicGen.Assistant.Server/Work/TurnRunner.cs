using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// Answers one queued turn: marks it running, runs the engine on this worker's thread with the turn's cancellation,
/// publishes what it streams, stores the reply and the track, and always ends with a "done" event carrying the stored
/// turn. A failure is reported on the turn and never takes the worker down.
/// </summary>
public sealed class TurnRunner(IAssistantEngine engine, IConversationStore store, IFileStore files, ITurnEventHub hub, ServiceMetrics metrics,
    ILogger<TurnRunner> log)
{
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public async Task RunAsync(TurnJob job, CancellationToken stopping)
    {
        var live = hub.Open(job.TurnId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(live.Cancellation.Token, stopping);
        var cancellation = linked.Token;
        var clock = Stopwatch.StartNew();
        var sink = new Sink(live, clock);
        var outcome = "failed";
        Interlocked.Increment(ref _running);
        try
        {
            cancellation.ThrowIfCancellationRequested();
            await store.SetTurnStatusAsync(job.TurnId, TurnStatus.Running, cancellation: CancellationToken.None);
            live.Publish(new TurnEvent("status", new { state = "running" }));
            var reply = await Task.Factory.StartNew(() => engine.Respond(job.Turn, sink, cancellation), cancellation,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (reply.Track is { } t)
            {
                var track = new TrackRecord(SqliteConversationStore.NewId(), job.ConversationId, job.TurnId, job.TrackKey, t.Seconds, t.SampleRate, t.Channels, t.Title, DateTimeOffset.UtcNow);
                await store.AddTrackAsync(track, CancellationToken.None);
                live.Publish(new TurnEvent("track", Dto.Track(track)));
            }
            await store.SetTurnStatusAsync(job.TurnId, TurnStatus.Done, reply.Text, cancellation: CancellationToken.None);
            outcome = "done";
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            outcome = "cancelled";
            files.Delete(job.TrackKey);
            await store.SetTurnStatusAsync(job.TurnId, TurnStatus.Cancelled, sink.Reply, stopping.IsCancellationRequested ? "the service stopped" : "cancelled", CancellationToken.None);
        }
        catch (Exception e)
        {
            files.Delete(job.TrackKey);
            var typed = AssistantException.From(e);
            if (typed is null) log.LogError(e, "turn {Turn} failed", job.TurnId);
            var message = typed?.Message ?? $"internal error ({e.GetType().Name}: {e.Message})";
            live.Publish(new TurnEvent("error", Problems.ForTurn(typed?.Kind, message)));
            await store.SetTurnStatusAsync(job.TurnId, TurnStatus.Failed, sink.Reply, message, CancellationToken.None);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            metrics.Finished(outcome, clock.Elapsed, sink.FirstSound, sink.TokensPerSecond);
            var stored = await store.GetTurnAsync(job.TurnId, CancellationToken.None);
            live.Publish(new TurnEvent("done", stored is null ? new { id = job.TurnId, status = outcome } : Dto.Turn(stored, [], [])));
        }
    }

    private sealed class Sink(ILiveTurn live, Stopwatch clock) : ITurnEventSink
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Reply { get { lock (_text) return _text.ToString(); } }
        public TimeSpan? FirstSound { get; private set; }
        public double? TokensPerSecond { get; private set; }

        public void Text(string delta)
        {
            lock (_text) _text.Append(delta);
            live.Publish(new TurnEvent("token", new TextDto(delta)));
        }

        private (string Stage, double Fraction, TimeSpan At) _lastProgress = ("", -1, TimeSpan.Zero);

        public void Progress(JobProgress p)
        {
            if (p.Finished && p.Unit == "steps" && p.Elapsed > TimeSpan.Zero) TokensPerSecond = p.Done / p.Elapsed.TotalSeconds;
            // one event per percent or quarter second of a stage (a stage reports every decoder step), and its end
            var now = clock.Elapsed;
            if (!p.Finished && p.Stage == _lastProgress.Stage && p.Fraction - _lastProgress.Fraction < 0.01 && now - _lastProgress.At < TimeSpan.FromMilliseconds(250)) return;
            _lastProgress = (p.Stage, p.Fraction, now);
            live.Publish(new TurnEvent("progress", Dto.Progress(p)));
        }

        public void Notice(string text) => live.Publish(new TurnEvent("notice", new TextDto(text)));

        public void Audio(AudioChunk chunk)
        {
            FirstSound ??= clock.Elapsed;
            live.Publish(new TurnEvent("audio", Dto.Audio(chunk)));
        }
    }
}
