using MusicGen.Assistant.Server.ScaleOut.Postgres;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;
using MusicGen.Assistant.Server.ScaleOut.Workers;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Workers;

/// <summary>
/// Turns whose job is in no queue (the web node died between recording and queueing, or Redis lost its streams) are
/// failed with a reason after the grace time; queued, claimed, started and recent ones are left alone.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class LostJobSweeperTests(ScaleOutServers servers) : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("mga-lost-").FullName;
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    public void Dispose() => Directory.Delete(_files, recursive: true);

    [ScaleOutFact]
    public async Task A_recorded_turn_that_never_reached_the_queue_fails_after_the_grace_time_and_only_it()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        using var store = new PostgresConversationStore(await servers.Postgres.NewDatabaseAsync("lost"), distributed: true);
        await store.MigrateAsync();
        var queue = TestJobs.Queue(redis, _files);
        var c = await store.CreateConversationAsync("sweep");
        async Task Record(string id, bool enqueue)
        {
            await store.AddTurnAsync(id, c.Id, "text " + id, null, 1, null);
            if (enqueue) Assert.True(queue.TryEnqueue(TestJobs.Job(id, c.Id)));
        }

        await Record("lost", enqueue: false);       // the web node died before XADD
        await Record("claimed", enqueue: true);     // the first entry: claimed below
        await Record("waiting", enqueue: true);
        await Record("started", enqueue: false);    // started by a worker: never the sweeper's
        Assert.NotNull(await new JobClaims(redis, "w", new WorkerOptions()).ClaimAsync([RedisKeys.RenderStream, RedisKeys.GeneralStream], default));
        Assert.Equal(1, await store.StartAttemptAsync("started", "w"));
        await Task.Delay(Grace + TimeSpan.FromMilliseconds(200));
        await Record("recent", enqueue: false);     // may still be on its way to the queue

        var failed = await LostJobSweeper.SweepAsync(store, redis, Grace, DateTimeOffset.UtcNow, "sweeper@a", default);
        Assert.Equal(["lost"], failed);
        var turn = (await store.GetTurnAsync("lost"))!;
        Assert.Equal((TurnStatus.Failed, LostJobSweeper.Reason), (turn.Status, turn.Error));
        Assert.NotNull(turn.FinishedAt);
        Assert.Equal("failed", (await store.GetJobAsync("lost"))!.Status);
        foreach (var id in new[] { "waiting", "claimed", "recent" }) Assert.Equal(TurnStatus.Queued, (await store.GetTurnAsync(id))!.Status);
        Assert.Equal(TurnStatus.Running, (await store.GetTurnAsync("started"))!.Status);

        // a second node sweeping the same moment finds nothing left; a worker that reaches a failed job gets no attempt
        Assert.Empty(await LostJobSweeper.SweepAsync(store, redis, Grace, DateTimeOffset.UtcNow, "sweeper@b", default));
        Assert.Null(await store.StartAttemptAsync("lost", "w"));

        // Redis loses its streams (a restart without persistence): the unstarted jobs that were in them end too
        using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{servers.Redis.Configuration},allowAdmin=true"))
            await admin.GetServers()[0].FlushAllDatabasesAsync();
        await Task.Delay(Grace + TimeSpan.FromMilliseconds(200));
        failed = await LostJobSweeper.SweepAsync(store, redis, Grace, DateTimeOffset.UtcNow, "sweeper@a", default);
        Assert.Equal(["claimed", "recent", "waiting"], failed.Order());
        Assert.Equal(TurnStatus.Running, (await store.GetTurnAsync("started"))!.Status);
    }
}
