using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>How an attempt of a job ended for the worker that made it.</summary>
public enum AttemptEnd
{
    /// <summary>Its result is the job's (done, failed or cancelled); acknowledge the entry.</summary>
    Recorded,

    /// <summary>Another attempt recorded a result first; this one's is discarded (its track removed); acknowledge.</summary>
    Discarded,

    /// <summary>The claim went to another worker while this one ran; it stopped and leaves the job to that worker.</summary>
    ClaimLost,

    /// <summary>This worker is stopping; the job is handed back for another worker.</summary>
    Stopped,
}

/// <summary>
/// Runs one attempt of a claimed turn job on this worker, as web's <see cref="TurnRunner"/> runs a local one: the
/// engine on its own thread, events to the job's stream, the track into the shared store; then records the result
/// through <see cref="IJobStore.FinishOnceAsync"/>, so of two workers that both ran the job only one result counts.
/// </summary>
public sealed class ClaimedTurnRunner(IAssistantEngine engine, IJobStore jobs, IConversationStore store, ContentAddressedFileStore files,
    ServiceMetrics metrics, string scratchDirectory, ILogger log)
{
    public async Task<AttemptEnd> RunAsync(TurnJobMessage job, string attemptName, JobEventWriter events, CancellationToken work,
        Func<AttemptEnd?> whyStopped)
    {
        var clock = Stopwatch.StartNew();
        var sink = new Sink(events, clock);
        var scratch = Path.Combine(scratchDirectory, $"{job.TurnId}-{Guid.NewGuid():N}.wav");
        string? trackKey = null;
        JobResult result;
        ProblemDetailsEvent? problem = null;
        try
        {
            events.Write(new TurnEvent("status", new { state = "running", worker = attemptName }));
            var turn = job.ToTurn(files, scratch);
            var reply = await Task.Factory.StartNew(() => engine.Respond(turn, sink, work), work, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            TrackRecord? track = null;
            if (reply.Track is { } t)
            {
                trackKey = files.Import(scratch, ".wav");
                track = new TrackRecord(SqliteConversationStore.NewId(), job.ConversationId, job.TurnId, trackKey, t.Seconds, t.SampleRate, t.Channels, t.Title, DateTimeOffset.UtcNow);
            }
            result = new JobResult(job.TurnId, attemptName, TurnStatus.Done, reply.Text, null, track);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            Discard(scratch, trackKey);
            if (whyStopped() is { } end) return end; // not this attempt's to record
            result = new JobResult(job.TurnId, attemptName, TurnStatus.Cancelled, sink.Reply, "cancelled", null);
        }
        catch (Exception e)
        {
            Discard(scratch, trackKey);
            var typed = AssistantException.From(e);
            if (typed is null) log.LogError(e, "job {Job} failed", job.TurnId);
            var message = typed?.Message ?? $"internal error ({e.GetType().Name}: {e.Message})";
            problem = new ProblemDetailsEvent(Problems.ForTurn(typed?.Kind, message));
            result = new JobResult(job.TurnId, attemptName, TurnStatus.Failed, sink.Reply, message, null);
        }

        if (!await jobs.FinishOnceAsync(result, CancellationToken.None))
        {
            log.LogWarning("job {Job}: another attempt recorded its result first; {Attempt}'s is discarded", job.TurnId, attemptName);
            Discard(scratch, trackKey);
            return AttemptEnd.Discarded;
        }
        var outcome = result.Status.ToString().ToLowerInvariant();
        metrics.Finished(outcome, clock.Elapsed, sink.FirstSound, sink.TokensPerSecond);
        if (problem is not null) events.Write(new TurnEvent("error", problem.Problem));
        if (result.Track is { } recorded) events.Write(new TurnEvent("track", Dto.Track(recorded)));
        var stored = await store.GetTurnAsync(job.TurnId, CancellationToken.None);
        events.Write(new TurnEvent("done", stored is null ? new { id = job.TurnId, status = outcome } : Dto.Turn(stored, [], [])));
        return AttemptEnd.Recorded;
    }

    /// <summary>Records a result without running the job (too many attempts, cancelled before it ran, a kind no worker knows).</summary>
    public async Task<AttemptEnd> EndWithoutRunningAsync(string jobId, string attemptName, TurnStatus status, string error, JobEventWriter events)
    {
        if (!await jobs.FinishOnceAsync(new JobResult(jobId, attemptName, status, "", error, null), CancellationToken.None)) return AttemptEnd.Discarded;
        if (status == TurnStatus.Failed) events.Write(new TurnEvent("error", Problems.ForTurn(null, error)));
        var stored = await store.GetTurnAsync(jobId, CancellationToken.None);
        events.Write(new TurnEvent("done", stored is null ? new { id = jobId, status = status.ToString().ToLowerInvariant() } : Dto.Turn(stored, [], [])));
        return AttemptEnd.Recorded;
    }

    private void Discard(string scratch, string? trackKey)
    {
        try
        {
            if (File.Exists(scratch)) File.Delete(scratch);
            if (trackKey is not null) files.Delete(trackKey);
        }
        catch (IOException e) { log.LogWarning("could not remove an unused track: {Message}", e.Message); }
    }

    private sealed record ProblemDetailsEvent(Microsoft.AspNetCore.Mvc.ProblemDetails Problem);

    private sealed class Sink(JobEventWriter events, Stopwatch clock) : ITurnEventSink
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Reply { get { lock (_text) return _text.ToString(); } }
        public TimeSpan? FirstSound { get; private set; }
        public double? TokensPerSecond { get; private set; }

        public void Text(string delta)
        {
            lock (_text) _text.Append(delta);
            events.Write(new TurnEvent("token", new TextDto(delta)));
        }

        public void Progress(JobProgress p)
        {
            if (p.Finished && p.Unit == "steps" && p.Elapsed > TimeSpan.Zero) TokensPerSecond = p.Done / p.Elapsed.TotalSeconds;
            events.Write(new TurnEvent("progress", Dto.Progress(p)));
        }

        public void Notice(string text) => events.Write(new TurnEvent("notice", new TextDto(text)));

        public void Audio(AudioChunk chunk)
        {
            FirstSound ??= clock.Elapsed;
            events.Write(new TurnEvent("audio", Dto.Audio(chunk)));
        }
    }
}
