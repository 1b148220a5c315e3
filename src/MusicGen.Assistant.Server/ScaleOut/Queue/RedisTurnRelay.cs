using System.Collections.Concurrent;
using MusicGen.Assistant.Server.Work;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>
/// On a web node: relays the events of the jobs it queued from their event streams in Redis into its
/// <see cref="TurnEventHub"/>, where the SSE, chat-completion and MCP readers find them as if the turn ran here; and
/// passes a cancellation of the turn (the client left or asked) on to the worker. A notification on a channel says
/// when a job has new events; a slower poll catches what a notification missed (pub/sub does not keep messages
/// while a connection is down). Only the latest attempt's events pass: a stalled worker's late events are dropped.
/// </summary>
public sealed class RedisTurnRelay : IDisposable
{
    private readonly RedisConnection _redis;
    private readonly ITurnEventHub _hub;
    private readonly ILogger<RedisTurnRelay> _log;
    private readonly ConcurrentDictionary<string, Relay> _relays = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<Task> _started;

    public RedisTurnRelay(RedisConnection redis, ITurnEventHub hub, ILogger<RedisTurnRelay> log)
    {
        (_redis, _hub, _log) = (redis, hub, log);
        _started = new Lazy<Task>(StartAsync);
    }

    /// <summary>How often every watched job's stream is read without a notification.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public int Watching => _relays.Count;

    /// <summary>Starts relaying a job's events into its live turn (called before the job is queued).</summary>
    public void Watch(string jobId)
    {
        _ = _started.Value;
        var live = _hub.Open(jobId);
        var relay = new Relay(jobId, live);
        if (!_relays.TryAdd(jobId, relay)) return;
        relay.CancelRegistration = live.Cancellation.Token.Register(() => _ = CancelAsync(jobId));
    }

    public void Unwatch(string jobId)
    {
        if (_relays.TryRemove(jobId, out var relay)) relay.CancelRegistration?.Dispose();
    }

    private Task StartAsync()
    {
        var subscriber = _redis.Subscriber;
        subscriber.Subscribe(RedisChannel.Literal(RedisKeys.EventsChannel), (channel, message) =>
        {
            if (_relays.TryGetValue((string)message!, out var relay)) _ = PumpAsync(relay);
        });
        return Task.Run(PollAsync);
    }

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(PollInterval, _stop.Token); }
            catch (OperationCanceledException) { return; }
            foreach (var relay in _relays.Values) await PumpAsync(relay);
        }
    }

    private async Task PumpAsync(Relay relay)
    {
        if (!await relay.Gate.WaitAsync(0)) { relay.Again = true; return; } // the one reading now reads again after
        try
        {
            do
            {
                relay.Again = false;
                StreamEntry[] entries;
                try { entries = await _redis.Database.StreamRangeAsync(RedisKeys.Events(relay.JobId), "(" + relay.LastId, "+", 200); }
                catch (RedisException e) { _log.LogDebug("events of {Job} not read now: {Message}", relay.JobId, e.Message); return; }
                foreach (var entry in entries)
                {
                    relay.LastId = entry.Id!;
                    Forward(relay, entry);
                }
                if (entries.Length == 200) relay.Again = true;
            } while (relay.Again && _relays.ContainsKey(relay.JobId));
        }
        finally { relay.Gate.Release(); }
    }

    private void Forward(Relay relay, StreamEntry entry)
    {
        var (e, attempt, worker) = TurnEventCodec.Decode(entry);
        if (attempt < relay.Attempt) return; // a stalled worker whose job was taken over: its result is not the job's
        if (attempt > relay.Attempt)
        {
            if (relay.Attempt > 0)
                relay.Live.Publish(new TurnEvent("notice", new Api.TextDto($"The worker answering this turn stopped; {worker} answers it again from the start (attempt {attempt}).")));
            relay.Attempt = attempt;
        }
        relay.Live.Publish(e);
        if (!e.IsFinal) return;
        Unwatch(relay.JobId);
        _ = _redis.Database.KeyExpireAsync(RedisKeys.Events(relay.JobId), TimeSpan.FromMinutes(2), flags: CommandFlags.FireAndForget);
    }

    private async Task CancelAsync(string jobId)
    {
        if (!_relays.ContainsKey(jobId)) return; // finished already
        try
        {
            await _redis.RunAsync(async db =>
            {
                await db.StringSetAsync(RedisKeys.Cancel(jobId), 1, TimeSpan.FromHours(1));
                await db.PublishAsync(RedisChannel.Literal(RedisKeys.CancelChannel), jobId);
            }, _stop.Token);
        }
        catch (Exception e) { _log.LogWarning("the cancellation of {Job} did not reach Redis: {Message}", jobId, e.Message); }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var id in _relays.Keys) Unwatch(id);
    }

    private sealed class Relay(string jobId, ILiveTurn live)
    {
        public string JobId { get; } = jobId;
        public ILiveTurn Live { get; } = live;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public volatile bool Again;
        public string LastId = "0-0";
        public int Attempt;
        public IDisposable? CancelRegistration;
    }
}
