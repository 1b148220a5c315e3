using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;
using MusicGen.Assistant.Server.ScaleOut.Workers;
using MusicGen.Assistant.Server.Work;
using Microsoft.Extensions.Logging.Abstractions;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Queue;

/// <summary>Events relayed from a job's stream to the web node's live turn (latest attempt only), cancellation passed on, and routing by announced devices.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RelayAndRoutingTests(ScaleOutServers servers)
{
    [ScaleOutFact]
    public async Task Events_reach_the_live_turn_in_order_and_a_stalled_attempts_late_events_are_dropped()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var hub = new TurnEventHub();
        using var relay = new RedisTurnRelay(redis, hub, NullLogger<RedisTurnRelay>.Instance);
        relay.Watch("job");
        var live = hub.Find("job")!;
        var seen = new System.Collections.Concurrent.ConcurrentQueue<TurnEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in live.Read(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token)) seen.Enqueue(e);
            return seen.ToList();
        });

        var first = new JobEventWriter(redis, "job", 1, "w1#1", NullLogger.Instance);
        first.Write(new TurnEvent("token", new TextDto("one ")));
        await first.CompleteAsync();
        await WaitFor(() => seen.Count >= 1);
        var second = new JobEventWriter(redis, "job", 2, "w2#2", NullLogger.Instance);
        second.Write(new TurnEvent("token", new TextDto("two")));
        await second.CompleteAsync();
        await WaitFor(() => seen.Any(e => e.Data is TextDto { Text: "two" }));
        var late = new JobEventWriter(redis, "job", 1, "w1#1", NullLogger.Instance); // the stalled first attempt wakes up
        late.Write(new TurnEvent("token", new TextDto("stale")));
        await late.CompleteAsync();
        var done = new JobEventWriter(redis, "job", 2, "w2#2", NullLogger.Instance);
        done.Write(new TurnEvent("done", new { id = "job", status = "done" }));
        await done.CompleteAsync();

        var events = await reading;
        Assert.Equal(["token:one ", "notice", "token:two", "done"], events.Select(e => e.Data is TextDto t && e.Type == "token" ? $"token:{t.Text}" : e.Type));
        Assert.Contains("w2#2", ((TextDto)events[1].Data).Text);
        Assert.Equal(("job", "done"), (((TurnDto)events[3].Data).Id, ((TurnDto)events[3].Data).Status)); // typed as web's own events are
        Assert.Equal(0, relay.Watching);
    }

    [ScaleOutFact]
    public async Task Cancelling_the_live_turn_tells_the_workers()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var hub = new TurnEventHub();
        using var relay = new RedisTurnRelay(redis, hub, NullLogger<RedisTurnRelay>.Instance);
        var heard = new TaskCompletionSource<string>();
        await redis.Subscriber.SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(RedisKeys.CancelChannel), (_, id) => heard.TrySetResult((string)id!));
        relay.Watch("job2");
        await hub.Find("job2")!.Cancellation.CancelAsync();
        Assert.Equal("job2", await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await redis.Database.KeyExistsAsync(RedisKeys.Cancel("job2")));
    }

    [Fact]
    public void A_GPU_worker_reads_renders_first_and_a_CPU_worker_leaves_them_to_a_live_GPU_until_they_wait_too_long()
    {
        var o = new WorkerOptions { CpuTakesRendersAfterSeconds = 30, RenderMinFreeBytes = 1L << 30 };
        var gpu = Announce("gpu-1", WorkerAnnouncement.Gpu, 8L << 30);
        var smallGpu = Announce("gpu-2", WorkerAnnouncement.Gpu, 100L << 20);
        var cpu = Announce("cpu-1", WorkerAnnouncement.Cpu, 16L << 30);
        Assert.Equal([RedisKeys.RenderStream, RedisKeys.GeneralStream], RenderRouting.StreamsFor(true, [cpu], null, o));
        Assert.Equal([RedisKeys.GeneralStream], RenderRouting.StreamsFor(false, [gpu, cpu], TimeSpan.FromSeconds(5), o));
        Assert.Equal([RedisKeys.GeneralStream, RedisKeys.RenderStream], RenderRouting.StreamsFor(false, [gpu, cpu], TimeSpan.FromSeconds(31), o));
        Assert.Equal([RedisKeys.GeneralStream, RedisKeys.RenderStream], RenderRouting.StreamsFor(false, [cpu], null, o));
        Assert.Equal([RedisKeys.GeneralStream, RedisKeys.RenderStream], RenderRouting.StreamsFor(false, [smallGpu, cpu], null, o)); // too little memory to count
    }

    [ScaleOutFact]
    public async Task A_GPU_announcement_holds_renders_back_from_CPU_workers_only_while_it_lives()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var o = new WorkerOptions { CpuTakesRendersAfterSeconds = 600 };
        await Announce("gpu-a", WorkerAnnouncement.Gpu, 8L << 30).PublishAsync(redis.Database, TimeSpan.FromSeconds(1.5));
        await Announce("cpu-a", WorkerAnnouncement.Cpu, 8L << 30).PublishAsync(redis.Database, TimeSpan.FromSeconds(60));
        var alive = await WorkerAnnouncement.AliveAsync(redis.Database);
        Assert.Equal(["cpu-a", "gpu-a"], alive.Select(a => a.Name).Order());
        Assert.Equal(8L << 30, alive.Single(a => a.IsGpu).FreeBytes);
        Assert.DoesNotContain(RedisKeys.RenderStream, RenderRouting.StreamsFor(false, alive, null, o));
        await Task.Delay(2000); // the GPU worker stops announcing (it died)
        alive = await WorkerAnnouncement.AliveAsync(redis.Database);
        Assert.Equal(["cpu-a"], alive.Select(a => a.Name));
        Assert.Contains(RedisKeys.RenderStream, RenderRouting.StreamsFor(false, alive, null, o));
        Assert.Equal(["cpu-a"], (await redis.Database.SetMembersAsync(RedisKeys.Workers)).Select(v => (string)v!));
    }

    private static WorkerAnnouncement Announce(string name, string device, long free) =>
        new(name, device, device + " device", free, free * 2, 0, 1, "host", 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static async Task WaitFor(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the relay did not deliver in time");
            await Task.Delay(20);
        }
    }
}
