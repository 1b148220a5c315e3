using MusicGen.Assistant.Server.Hosting;

namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>What this process is, from <see cref="ServerOptions"/>: role, queue and store, checked against each other once.</summary>
public sealed record ScaleOutSettings(ServerRole Role, bool RedisQueue, bool PostgresStore)
{
    /// <summary>Whether this process serves HTTP.</summary>
    public bool ServesWeb => Role is ServerRole.All or ServerRole.Web;

    /// <summary>Whether this process runs jobs from Redis.</summary>
    public bool RunsRedisWorkers => RedisQueue && Role is ServerRole.All or ServerRole.Worker;

    /// <summary>Whether web's in-process workers run (the local queue).</summary>
    public bool RunsLocalWorkers => !RedisQueue;

    public static ScaleOutSettings From(ServerOptions o)
    {
        var role = o.Role?.Trim().ToLowerInvariant() switch
        {
            null or "" or "all" => ServerRole.All,
            "web" => ServerRole.Web,
            "worker" => ServerRole.Worker,
            _ => throw new InvalidOperationException($"Assistant:Role '{o.Role}' is not all, web or worker"),
        };
        var redis = o.Queue?.Trim().ToLowerInvariant() switch
        {
            null or "" or "local" => false,
            "redis" => true,
            _ => throw new InvalidOperationException($"Assistant:Queue '{o.Queue}' is not local or redis"),
        };
        var postgres = o.Store?.Trim().ToLowerInvariant() switch
        {
            null or "" or "sqlite" => false,
            "postgres" or "postgresql" => true,
            _ => throw new InvalidOperationException($"Assistant:Store '{o.Store}' is not sqlite or postgres"),
        };
        if (!redis && role != ServerRole.All)
            throw new InvalidOperationException($"Assistant:Role '{o.Role}' needs Assistant:Queue 'redis': with the local queue one process is web and worker at once (role all)");
        if (redis && !postgres)
            throw new InvalidOperationException("Assistant:Queue 'redis' needs Assistant:Store 'postgres': workers on other machines cannot reach a SQLite file, and a job's result is recorded once in the shared database");
        if (redis && string.IsNullOrWhiteSpace(o.Redis))
            throw new InvalidOperationException("Assistant:Queue 'redis' needs Assistant:Redis, the server to use (for example 127.0.0.1:6379)");
        if (postgres && string.IsNullOrWhiteSpace(o.Postgres))
            throw new InvalidOperationException("Assistant:Store 'postgres' needs Assistant:Postgres, a connection string (for example Host=127.0.0.1;Username=mga;Database=mga)");
        if (redis) o.Worker.Validate();
        return new ScaleOutSettings(role, redis, postgres);
    }
}

/// <summary>What one process of the service does (<c>mga serve --role</c>).</summary>
public enum ServerRole
{
    /// <summary>The web front and the workers in one process.</summary>
    All,

    /// <summary>HTTP only: takes turns in, queues them in Redis, relays their events.</summary>
    Web,

    /// <summary>Jobs only: claims them from Redis, runs the engine, records the results.</summary>
    Worker,
}
