using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Server.Hosting;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Workers;

/// <summary>Role, queue and store are checked against each other before anything starts, each refusal naming the settings.</summary>
public sealed class ScaleOutSettingsTests
{
    private static ServerOptions Options(string role = "all", string queue = "local", string store = "sqlite", string? redis = null, string? postgres = null) =>
        new() { Role = role, Queue = queue, Store = store, Redis = redis, Postgres = postgres, DataDirectory = Path.GetTempPath() };

    [Fact]
    public void The_defaults_are_one_process_on_sqlite_and_the_local_queue()
    {
        var s = ScaleOutSettings.From(new ServerOptions());
        Assert.Equal((ServerRole.All, false, false, true, true, false), (s.Role, s.RedisQueue, s.PostgresStore, s.ServesWeb, s.RunsLocalWorkers, s.RunsRedisWorkers));
        var worker = ScaleOutSettings.From(Options("worker", "redis", "postgres", "127.0.0.1:6379", "Host=127.0.0.1"));
        Assert.Equal((false, true, false), (worker.ServesWeb, worker.RunsRedisWorkers, worker.RunsLocalWorkers));
        var web = ScaleOutSettings.From(Options("web", "redis", "postgres", "127.0.0.1:6379", "Host=127.0.0.1"));
        Assert.Equal((true, false), (web.ServesWeb, web.RunsRedisWorkers));
    }

    [Theory]
    [InlineData("web", "local", "sqlite", null, null, "Assistant:Role 'web' needs Assistant:Queue 'redis'")]
    [InlineData("all", "redis", "sqlite", "127.0.0.1:6379", null, "Assistant:Queue 'redis' needs Assistant:Store 'postgres'")]
    [InlineData("all", "redis", "postgres", null, "Host=x", "needs Assistant:Redis")]
    [InlineData("all", "local", "postgres", null, null, "needs Assistant:Postgres")]
    [InlineData("boss", "local", "sqlite", null, null, "Assistant:Role 'boss' is not all, web or worker")]
    [InlineData("all", "kafka", "sqlite", null, null, "Assistant:Queue 'kafka' is not local or redis")]
    [InlineData("all", "local", "mysql", null, null, "Assistant:Store 'mysql' is not sqlite or postgres")]
    public void Contradictions_are_refused_naming_the_settings(string role, string queue, string store, string? redis, string? postgres, string expected)
    {
        var e = Assert.Throws<AssistantException>(() => Options(role, queue, store, redis, postgres).Validate());
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_renewal_slower_than_the_claim_timeout_is_refused()
    {
        var o = Options("all", "redis", "postgres", "127.0.0.1:6379", "Host=x");
        o.Worker.RenewSeconds = 30;
        o.Worker.ClaimTimeoutSeconds = 10;
        Assert.Contains("RenewSeconds (30) must be below ClaimTimeoutSeconds (10)", Assert.Throws<AssistantException>(() => o.Validate()).Message);
        o.Worker.RenewSeconds = double.NaN;
        Assert.Contains("Assistant:Worker:RenewSeconds must be above 0", Assert.Throws<AssistantException>(() => o.Validate()).Message);
    }
}
