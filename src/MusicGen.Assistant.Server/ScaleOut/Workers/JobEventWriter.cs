using System.Threading.Channels;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.Work;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>
/// Writes one attempt's events, in order, to its job's event stream and rings the events channel, off the engine's
/// thread (the engine never waits for Redis); while Redis is away the events wait here and go out when it is back.
/// </summary>
public sealed class JobEventWriter
{
    /// <summary>How long a job's events stay in Redis for late readers when no reader finishes them.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private readonly Channel<TurnEvent> _events = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RedisConnection _redis;
    private readonly string _jobId, _worker;
    private readonly int _attempt;
    private readonly ILogger _log;
    private readonly Task _pump;

    public JobEventWriter(RedisConnection redis, string jobId, int attempt, string worker, ILogger log)
    {
        (_redis, _jobId, _attempt, _worker, _log) = (redis, jobId, attempt, worker, log);
        _pump = Task.Run(PumpAsync);
    }

    public void Write(TurnEvent e) => _events.Writer.TryWrite(e);

    /// <summary>Waits until every event written so far is in Redis (or given up on); nothing may be written after.</summary>
    public Task CompleteAsync()
    {
        _events.Writer.TryComplete();
        return _pump;
    }

    private async Task PumpAsync()
    {
        var key = RedisKeys.Events(_jobId);
        await foreach (var e in _events.Reader.ReadAllAsync())
        {
            try
            {
                await _redis.RunAsync(async db =>
                {
                    await db.StreamAddAsync(key, TurnEventCodec.Encode(e, _attempt, _worker));
                    await db.KeyExpireAsync(key, Retention);
                    await db.PublishAsync(RedisChannel.Literal(RedisKeys.EventsChannel), _jobId);
                }, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // the result is recorded in the database whatever happens here; a reader then gets the stored turn
                _log.LogWarning("event {Type} of job {Job} not delivered: {Message}", e.Type, _jobId, ex.Message);
            }
        }
    }
}
