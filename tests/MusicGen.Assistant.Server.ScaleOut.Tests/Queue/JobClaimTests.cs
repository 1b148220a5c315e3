using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;
using MusicGen.Assistant.Server.ScaleOut.Workers;
using MusicGen.Assistant.Server.Work;
using Microsoft.Extensions.Logging.Abstractions;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Queue;

/// <summary>The queue protocol on a real Redis: bounded enqueue, claim, renew, take-over after the timeout, hand-back, acknowledge, and a restart of Redis.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class JobClaimTests(ScaleOutServers servers) : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("mga-claims-").FullName;
    private static readonly WorkerOptions Fast = new() { ClaimTimeoutSeconds = 1, RenewSeconds = 0.3 };

    public void Dispose() => Directory.Delete(_files, recursive: true);

    private RedisJobQueue Queue(RedisConnection redis, int capacity) => TestJobs.Queue(redis, _files, capacity);

    private static TurnJob Job(string id) => TestJobs.Job(id);

    [ScaleOutFact]
    public async Task A_full_queue_refuses_and_a_claimed_job_makes_room()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var queue = Queue(redis, 2);
        Assert.True(queue.TryEnqueue(Job("a")));
        Assert.True(queue.TryEnqueue(Job("b")));
        Assert.False(queue.TryEnqueue(Job("c")));
        Assert.Equal(2, queue.Depth);

        var claims = new JobClaims(redis, "w1", Fast);
        var a = await claims.ClaimAsync([RedisKeys.RenderStream], default);
        Assert.Equal(("a", JobKinds.Turn, false), (a!.JobId, a.Kind, a.Reclaimed));
        var message = TurnJobMessage.Parse(a.Payload);
        Assert.Equal(("text a", 7UL, "conversation"), (message.Text, message.Seed!.Value, message.ConversationId));
        Assert.Equal(1, queue.Depth);
        Assert.True(queue.TryEnqueue(Job("c")));
        Assert.False(queue.TryEnqueue(Job("d")));
    }

    [ScaleOutFact]
    public async Task An_unrenewed_claim_is_taken_over_after_the_timeout_and_the_first_holder_learns_it_lost()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        Assert.True(Queue(redis, 4).TryEnqueue(Job("j")));
        var first = new JobClaims(redis, "first", Fast);
        var second = new JobClaims(redis, "second", Fast);
        var held = await first.ClaimAsync([RedisKeys.RenderStream], default);
        Assert.NotNull(held);

        // renewed in time: nobody else may take it
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(400);
            Assert.True(await first.RenewAsync(held!, default));
            Assert.Null(await second.ClaimAsync([RedisKeys.RenderStream], default));
        }
        // the first holder stops renewing (it died or stalled): after the timeout the second takes the job over
        await Task.Delay(1300);
        var taken = await second.ClaimAsync([RedisKeys.RenderStream], default);
        Assert.Equal(("j", true), (taken!.JobId, taken.Reclaimed));
        Assert.False(await first.RenewAsync(held!, default));
        Assert.True(await second.RenewAsync(taken, default));

        await second.AckAsync(taken, default);
        Assert.Equal(0, await redis.Database.StreamLengthAsync(RedisKeys.RenderStream));
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(RedisKeys.RenderStream, RedisKeys.Group)).PendingMessageCount);
    }

    [ScaleOutFact]
    public async Task A_job_handed_back_by_a_stopping_worker_is_claimed_at_once()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var slow = new WorkerOptions { ClaimTimeoutSeconds = 60, RenewSeconds = 5 };
        Assert.True(Queue(redis, 4).TryEnqueue(Job("h")));
        var stopping = new JobClaims(redis, "stopping", slow);
        var next = new JobClaims(redis, "next", slow);
        var held = (await stopping.ClaimAsync([RedisKeys.RenderStream], default))!;
        Assert.Null(await next.ClaimAsync([RedisKeys.RenderStream], default));
        await stopping.ReleaseAsync(held, default);
        Assert.Equal(("h", true), ((await next.ClaimAsync([RedisKeys.RenderStream], default))!.JobId, true));
    }

    [ScaleOutFact]
    public async Task Queued_jobs_survive_a_Redis_restart_and_a_submission_during_it_waits_and_succeeds()
    {
        using var redis = await RedisTestState.CleanAsync(servers.Redis);
        var queue = Queue(redis, 8);
        Assert.True(queue.TryEnqueue(Job("before")));
        await servers.Redis.StopAsync();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(1500);
            await servers.Redis.StartAsync();
        });
        try
        {
            Assert.True(await Task.Run(() => queue.TryEnqueue(Job("during"))));
        }
        finally { await restart; }
        var claims = new JobClaims(redis, "after", Fast);
        var ids = new List<string>();
        while (await claims.ClaimAsync([RedisKeys.RenderStream], default) is { } job)
        {
            ids.Add(job.JobId);
            await claims.AckAsync(job, default);
        }
        Assert.Equal(["before", "during"], ids);
    }
}
