using System.Collections.Concurrent;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>
/// A scale-out worker (roles worker and all with the redis queue): announces its device every heartbeat, and runs
/// Limits.Workers loops that claim jobs by <see cref="RenderRouting"/>, renew each claim while its job runs (and stop
/// the job when the claim is lost or the turn cancelled), record the result once and acknowledge the entry. A
/// stopping worker hands its running jobs back for others.
/// </summary>
public sealed class RedisWorker(ServerOptions options, IServiceProvider services, ILogger<RedisWorker> log) : BackgroundService
{
    // resolved only when this process is a Redis worker: with the defaults none of them may be built (no Redis, no PostgreSQL)
    private RedisConnection _redis = null!;
    private IJobStore _jobs = null!;
    private IConversationStore _store = null!;
    private IAssistantEngine _engine = null!;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    private readonly SemaphoreSlim _wake = new(0);
    private int _busy;

    public string Name { get; } = Sanitize(options.Worker.Name is { Length: > 0 } n ? n : $"{Environment.MachineName}-{Environment.ProcessId}");

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!services.GetRequiredService<ScaleOutSettings>().RunsRedisWorkers) return;
        (_redis, _jobs, _store, _engine) = (services.GetRequiredService<RedisConnection>(), services.GetRequiredService<IJobStore>(),
            services.GetRequiredService<IConversationStore>(), services.GetRequiredService<IAssistantEngine>());
        var files = services.GetRequiredService<IFileStore>();
        var metrics = services.GetRequiredService<ServiceMetrics>();
        var o = options.Worker;
        var claims = new JobClaims(_redis, Name, o);
        await _store.MigrateAsync(stopping);
        await claims.EnsureGroupsAsync(stopping);
        var scratch = Path.Combine(options.ResolvedDataDirectory, "scratch", Name);
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); // what a killed run of this worker left
        Directory.CreateDirectory(scratch);
        var runner = new ClaimedTurnRunner(_engine, _jobs, _store, (ContentAddressedFileStore)files, metrics, scratch, log);

        var subscriber = _redis.Subscriber;
        await subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.WakeChannel), (_, _) => _wake.Release());
        await subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.CancelChannel), (_, id) =>
        {
            if (_running.TryGetValue((string)id!, out var work)) work.Cancel();
        });
        _ = Task.Run(() =>
        {
            try { _engine.Load(stopping); }
            catch (Exception e) { log.LogWarning("model set not loaded at start: {Message}", e.Message); }
        }, stopping);
        log.LogInformation("worker {Name} claims jobs from {Redis}", Name, options.Redis);

        var heartbeat = HeartbeatAsync(stopping);
        var loops = Enumerable.Range(0, Math.Max(1, options.Limits.Workers)).Select(_ => LoopAsync(claims, runner, stopping)).ToArray();
        await Task.WhenAll(loops);
        await heartbeat;
        try { await WorkerAnnouncement.WithdrawAsync(_redis.Database, Name); }
        catch (RedisException) { } // it expires by itself
    }

    private async Task LoopAsync(JobClaims claims, ClaimedTurnRunner runner, CancellationToken stopping)
    {
        var isGpu = DeviceProbe.Probe(options.Backend).Kind == WorkerAnnouncement.Gpu;
        while (!stopping.IsCancellationRequested)
        {
            ClaimedJob? job = null;
            try
            {
                var alive = isGpu ? [] : await _redis.RunAsync(WorkerAnnouncement.AliveAsync, stopping);
                var oldest = isGpu || !alive.Any(a => a.IsGpu) ? null : await claims.OldestWaitingAsync(RedisKeys.RenderStream, stopping);
                job = await claims.ClaimAsync(RenderRouting.StreamsFor(isGpu, alive, oldest, options.Worker), stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogWarning("claiming a job failed: {Message}", e.Message); }
            if (job is null)
            {
                try { await _wake.WaitAsync(options.Worker.Poll, stopping); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            try { await RunClaimedAsync(job, claims, runner, stopping); }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // the entry stays claimed and unacknowledged: this or another worker takes it again after the timeout
                log.LogError(e, "job {Job} was not finished", job.JobId);
            }
        }
    }

    private async Task RunClaimedAsync(ClaimedJob job, JobClaims claims, ClaimedTurnRunner runner, CancellationToken stopping)
    {
        var attempt = await _jobs.StartAttemptAsync(job.JobId, Name, CancellationToken.None);
        if (attempt is null)
        {
            await claims.AckAsync(job, CancellationToken.None); // finished by an earlier attempt (or unknown): nothing to do
            return;
        }
        var attemptName = $"{Name}#{attempt}";
        var events = new JobEventWriter(_redis, job.JobId, attempt.Value, attemptName, log);
        AttemptEnd end;
        Interlocked.Increment(ref _busy);
        try
        {
            TurnJobMessage? message = null;
            string? refusal = null;
            if (job.Kind != JobKinds.Turn) refusal = $"no worker runs jobs of kind '{job.Kind}'";
            else
            {
                try { message = TurnJobMessage.Parse(job.Payload); }
                catch (System.Text.Json.JsonException e) { refusal = $"the job's payload cannot be read: {e.Message}"; }
            }
            if (refusal is not null) end = await runner.EndWithoutRunningAsync(job.JobId, attemptName, TurnStatus.Failed, refusal, events);
            else if (attempt > options.Worker.MaxAttempts)
                end = await runner.EndWithoutRunningAsync(job.JobId, attemptName, TurnStatus.Failed,
                    $"the job was started {attempt - 1} times and no worker finished it (each stopped or lost its claim); it is not tried again", events);
            else if (await _redis.RunAsync(db => db.KeyExistsAsync(RedisKeys.Cancel(job.JobId)), CancellationToken.None))
                end = await runner.EndWithoutRunningAsync(job.JobId, attemptName, TurnStatus.Cancelled, "cancelled", events);
            else end = await RunWithClaimAsync(job, message!, attemptName, events, claims, runner, stopping);
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
            await events.CompleteAsync();
        }
        switch (end)
        {
            case AttemptEnd.Recorded or AttemptEnd.Discarded: await claims.AckAsync(job, CancellationToken.None); break;
            case AttemptEnd.Stopped: await claims.ReleaseAsync(job, CancellationToken.None); break;
            case AttemptEnd.ClaimLost: break; // the worker that holds it now acknowledges it
        }
    }

    private async Task<AttemptEnd> RunWithClaimAsync(ClaimedJob job, TurnJobMessage message, string attemptName, JobEventWriter events, JobClaims claims,
        ClaimedTurnRunner runner, CancellationToken stopping)
    {
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var renewing = new CancellationTokenSource();
        var lost = false;
        _running[job.JobId] = work;
        var renewal = Task.Run(async () =>
        {
            while (!renewing.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.Worker.Renew, renewing.Token);
                    if (!await claims.RenewAsync(job, renewing.Token))
                    {
                        log.LogWarning("job {Job}: another worker claimed it while {Worker} ran it; stopping", job.JobId, attemptName);
                        lost = true;
                        await work.CancelAsync();
                        return;
                    }
                    if (await _redis.Database.KeyExistsAsync(RedisKeys.Cancel(job.JobId))) await work.CancelAsync();
                }
                catch (OperationCanceledException) { return; }
                catch (Exception e) { log.LogWarning("renewing the claim of {Job} failed: {Message}", job.JobId, e.Message); }
            }
        });
        try
        {
            return await runner.RunAsync(message, attemptName, events, work.Token,
                () => lost ? AttemptEnd.ClaimLost : stopping.IsCancellationRequested ? AttemptEnd.Stopped : null);
        }
        finally
        {
            _running.TryRemove(job.JobId, out _);
            await renewing.CancelAsync();
            await renewal;
        }
    }

    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        var every = options.Worker.Heartbeat;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var device = DeviceProbe.Probe(options.Backend);
                var a = new WorkerAnnouncement(Name, device.Kind, device.Name, device.FreeBytes, device.TotalBytes, Volatile.Read(ref _busy),
                    Math.Max(1, options.Limits.Workers), Environment.MachineName, Environment.ProcessId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await a.PublishAsync(_redis.Database, every * 3);
            }
            catch (Exception e) when (e is RedisException or ObjectDisposedException) { log.LogDebug("heartbeat not sent: {Message}", e.Message); }
            try { await Task.Delay(every, stopping); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        return new string(chars)[..Math.Min(chars.Length, 64)];
    }
}
