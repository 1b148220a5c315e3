namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>The Redis and PostgreSQL servers of the scale-out tests: started once for the whole collection, stopped after.</summary>
public sealed class ScaleOutServers : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public PostgresServer Postgres { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (ServerBinaries.MissingReason is not null) return; // every test of the collection is skipped
        Redis = new RedisServer();
        Postgres = new PostgresServer();
        await Task.WhenAll(Redis.StartAsync(), Postgres.InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null) await Redis.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}

/// <summary>Tests that share the servers run one after another (some stop and start them).</summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutServers>
{
    public const string Name = "scale-out servers";
}
