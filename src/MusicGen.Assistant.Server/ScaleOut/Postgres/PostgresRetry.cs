using System.Net.Sockets;
using Npgsql;

namespace MusicGen.Assistant.Server.ScaleOut.Postgres;

/// <summary>
/// Runs a database call again while the server is away (restarting, failing over, refusing connections), with growing
/// pauses, for up to <see cref="Patience"/>; other errors go to the caller at once. Calls must be safe to repeat: the
/// store's writes are keyed by ids the caller made, so a repeat after a commit whose reply was lost changes nothing.
/// </summary>
public sealed class PostgresRetry(NpgsqlDataSource source, ILogger? log = null)
{
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> call, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        var pause = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(cancellation);
                return await call(connection);
            }
            catch (Exception e) when (IsTransient(e) && !cancellation.IsCancellationRequested && DateTime.UtcNow - started < Patience)
            {
                // connections of the pool may all be broken after a restart: drop them instead of failing on each in turn
                source.Clear();
                log?.LogWarning("database unavailable ({Message}); try {Attempt} again in {Pause} ms", e.Message, attempt, (int)pause.TotalMilliseconds);
                await Task.Delay(pause, cancellation);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 2000));
            }
        }
    }

    public Task RunAsync(Func<NpgsqlConnection, Task> call, CancellationToken cancellation) =>
        RunAsync<bool>(async c => { await call(c); return true; }, cancellation);

    /// <summary>Whether an error means the server or the way to it is down for now, not that the call was wrong.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        InvalidOperationException when e.InnerException is { } inner => IsTransient(inner),
        _ => false,
    };
}
