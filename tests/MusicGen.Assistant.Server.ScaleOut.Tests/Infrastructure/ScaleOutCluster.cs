using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Server.ScaleOut.Postgres;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.ScaleOut.Workers;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>
/// One scale-out deployment on loopback: a web node (the real app, role web, in this process) and worker processes
/// (role worker), on a fresh PostgreSQL database, an emptied Redis and a shared files directory of their own.
/// Claims time out after <see cref="ClaimTimeoutSeconds"/> so take-overs happen within a test.
/// </summary>
public sealed class ScaleOutCluster : IAsyncDisposable
{
    public const double ClaimTimeoutSeconds = 3;

    private readonly string _root = Directory.CreateTempSubdirectory("mga-cluster-").FullName;
    private readonly List<WorkerProcess> _workers = [];
    private WebApplicationFactory<Program>? _web;

    public RedisConnection Redis { get; private set; } = null!;
    public PostgresConversationStore Store { get; private set; } = null!;
    public Dictionary<string, string> Settings { get; } = new();
    public HttpClient Client { get; private set; } = null!;
    public string SharedFiles => Path.Combine(_root, "shared");
    public IReadOnlyList<WorkerProcess> Workers => _workers;

    public static async Task<ScaleOutCluster> StartAsync(ScaleOutServers servers, string name, int workers)
    {
        var c = new ScaleOutCluster();
        c.Redis = await RedisTestState.CleanAsync(servers.Redis);
        var database = await servers.Postgres.NewDatabaseAsync(name);
        c.Store = new PostgresConversationStore(database, distributed: true);
        foreach (var (k, v) in new Dictionary<string, string>
                 {
                     ["Assistant:Queue"] = "redis", ["Assistant:Store"] = "postgres", ["Assistant:Postgres"] = database,
                     ["Assistant:Redis"] = servers.Redis.Configuration, ["Assistant:SharedFiles"] = c.SharedFiles, ["Assistant:ModelSet"] = "",
                     ["Assistant:Threads"] = "1", ["Assistant:Limits:DefaultSeconds"] = "0.5", ["Assistant:Limits:MaxSeconds"] = "30",
                     ["Assistant:Limits:QueueLength"] = "16", ["Assistant:Worker:ClaimTimeoutSeconds"] = ClaimTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     ["Assistant:Worker:RenewSeconds"] = "0.5", ["Assistant:Worker:HeartbeatSeconds"] = "1", ["Logging:LogLevel:Default"] = "Warning",
                 })
            c.Settings[k] = v;
        AssistantSetSource.Resolve(null); // the demo assistant built once, before workers load it
        for (var i = 1; i <= workers; i++) c.AddWorker($"w{i}");
        c._web = new WebFactory(c.Settings.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), Path.Combine(c._root, "web"));
        c.Client = c._web.CreateClient();
        await c.WaitForWorkersAsync(workers);
        return c;
    }

    public WorkerProcess AddWorker(string name)
    {
        var settings = new Dictionary<string, string>(Settings) { ["Assistant:DataDirectory"] = Path.Combine(_root, name) };
        var worker = new WorkerProcess(name, settings);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Waits until that many workers announce themselves (they are up and reading the queue).</summary>
    public async Task WaitForWorkersAsync(int count)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while ((await WorkerAnnouncement.AliveAsync(Redis.Database)).Count < count)
        {
            if (DateTime.UtcNow > until || _workers.Any(w => w.Exited))
                throw new TimeoutException($"{count} workers did not announce themselves: {string.Join("\n---\n", _workers.Select(w => $"{w.Name}: {w.Output}"))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the job's attempt has reported progress from a worker (it is mid-job); returns that worker.</summary>
    public async Task<string> WaitUntilRunningAsync(string jobId, int attempt = 1)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < until)
        {
            foreach (var e in await Redis.Database.StreamRangeAsync(RedisKeys.Events(jobId)))
                if ((string?)e["type"] == "progress" && (int)e["attempt"] == attempt) return ((string)e["worker"]!).Split('#')[0];
            await Task.Delay(20);
        }
        throw new TimeoutException($"job {jobId} never ran: {Diagnostics()}");
    }

    public string Diagnostics() => string.Join("\n---\n", _workers.Select(w => $"{w.Name} (exited {w.Exited}): {w.Output}"));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_workers.Select(w => w.DisposeAsync().AsTask()));
        _web?.Dispose();
        Store?.Dispose();
        Redis?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private sealed class WebFactory(Dictionary<string, string?> settings, string data) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.ConfigureAppConfiguration(c =>
            c.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["Assistant:Role"] = "web", ["Assistant:DataDirectory"] = data }));
    }
}
