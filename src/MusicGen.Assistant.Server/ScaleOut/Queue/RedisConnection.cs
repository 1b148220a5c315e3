using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>
/// The process's one connection to Redis (it multiplexes every caller and reconnects by itself), and calls that are
/// run again while Redis is away (restarting, loading its data) for up to <see cref="Patience"/>.
/// </summary>
public sealed class RedisConnection(string configuration, ILogger<RedisConnection>? log = null) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer = new(() =>
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // start even while Redis is down, and keep trying
        options.ConnectRetry = 3;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return ConnectionMultiplexer.Connect(options);
    });

    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(60);

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        var pause = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try { return await call(Database); }
            catch (Exception e) when (IsTransient(e) && !cancellation.IsCancellationRequested && DateTime.UtcNow - started < Patience)
            {
                log?.LogWarning("Redis unavailable ({Message}); try {Attempt} again in {Pause} ms", e.Message, attempt, (int)pause.TotalMilliseconds);
                await Task.Delay(pause, cancellation);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 2000));
            }
        }
    }

    public Task RunAsync(Func<IDatabase, Task> call, CancellationToken cancellation) =>
        RunAsync<bool>(async db => { await call(db); return true; }, cancellation);

    /// <summary>The same, for callers that cannot wait asynchronously (the queue contract's TryEnqueue); a shorter patience.</summary>
    public T Run<T>(Func<IDatabase, T> call, TimeSpan patience)
    {
        var started = DateTime.UtcNow;
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try { return call(Database); }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow - started < patience)
            {
                log?.LogWarning("Redis unavailable ({Message}); trying again", e.Message);
                Thread.Sleep(pause);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 1000));
            }
        }
    }

    /// <summary>Whether an error means Redis is away for now (not that the command was wrong).</summary>
    public static bool IsTransient(Exception e) => e is RedisConnectionException or RedisTimeoutException
        || e is RedisServerException s && (s.Message.StartsWith("LOADING", StringComparison.Ordinal) || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal));

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
