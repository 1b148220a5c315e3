using MusicGen.Assistant.Server.ScaleOut.Postgres;
using MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;
using MusicGen.Assistant.Server.Storage;
using Npgsql;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Storage;

/// <summary>The PostgreSQL store on a real server: migrations, the store contract, one result per job, and a server restart.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class PostgresStoreTests(ScaleOutServers servers)
{
    [ScaleOutFact]
    public async Task Migrations_are_versioned_applied_once_and_safe_to_run_again_and_together()
    {
        var cs = await servers.Postgres.NewDatabaseAsync("migrate");
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresConversationStore(cs, distributed: true)).ToList();
        await Task.WhenAll(stores.Select(s => s.MigrateAsync())); // nodes starting together
        await stores[0].MigrateAsync(); // and a restart
        Assert.Equal(PostgresMigrations.Steps.Count, await stores[0].SchemaVersionAsync());
        await using var db = new NpgsqlConnection(cs);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version;", db);
        await using var r = await cmd.ExecuteReaderAsync();
        var versions = new List<(int, long)>();
        while (await r.ReadAsync()) versions.Add((r.GetInt32(0), r.GetInt64(1)));
        Assert.Equal(Enumerable.Range(1, PostgresMigrations.Steps.Count).Select(v => (v, 1L)), versions);
        stores.ForEach(s => s.Dispose());
    }

    [ScaleOutFact]
    public async Task Conversations_turns_attachments_and_tracks_round_trip_and_delete_returns_their_files()
    {
        using var store = await NewStore("crud");
        var c = await store.CreateConversationAsync("first");
        var attachment = new AttachmentRecord(SqliteConversationStore.NewId(), "t1", "audio", "audio/wav", "in.wav", "sha256/" + new string('a', 64) + "/" + new string('b', 32) + ".wav", 44);
        var turn = await store.AddTurnAsync("t1", c.Id, "make it jazzy", null, 2.5, attachment with { TurnId = "t1" });
        var again = await store.AddTurnAsync("t1", c.Id, "make it jazzy", null, 2.5, attachment with { TurnId = "t1" }); // a repeat after a lost reply
        Assert.Equal(turn, again);
        var second = await store.AddTurnAsync("t2", c.Id, "slower", null, 1, null);
        Assert.Equal((0, 1), (turn.Index, second.Index));
        Assert.Equal(TurnStatus.Queued, turn.Status);
        var job = await store.GetJobAsync("t1");
        Assert.Equal(("queued", 0, "turn"), (job!.Status, job.Attempts, job.Kind));

        var track = new TrackRecord("k1", c.Id, "t1", "sha256/" + new string('c', 64) + "/" + new string('d', 32) + ".wav", 2.5, 32000, 1, "jazzy", DateTimeOffset.UtcNow);
        await store.AddTrackAsync(track);
        await store.SetTurnStatusAsync("t1", TurnStatus.Done, "here it is");
        var renamed = await store.RenameConversationAsync(c.Id, "renamed");
        Assert.Equal("renamed", renamed!.Title);

        var detail = (await store.GetConversationAsync(c.Id))!;
        Assert.Equal(["t1", "t2"], detail.Turns.Select(t => t.Id));
        Assert.Equal("here it is", detail.Turns[0].ReplyText);
        Assert.NotNull(detail.Turns[0].FinishedAt);
        Assert.Equal(attachment, Assert.Single(detail.Attachments));
        Assert.Equal(track.FileKey, Assert.Single(detail.Tracks).FileKey);
        Assert.Equal(track.Id, (await store.GetTrackAsync("k1"))!.Id);
        Assert.Equal(attachment.FileKey, (await store.GetAttachmentAsync(attachment.Id))!.FileKey);
        Assert.Contains(await store.ListConversationsAsync(), x => x.Id == c.Id);

        var keys = await store.DeleteConversationAsync(c.Id);
        Assert.Equal(new[] { attachment.FileKey, track.FileKey }.Order(), keys!.Order());
        Assert.Null(await store.GetConversationAsync(c.Id));
        Assert.Null(await store.GetJobAsync("t1"));
        Assert.Null(await store.DeleteConversationAsync(c.Id));
    }

    [ScaleOutFact]
    public async Task Of_many_finishers_of_one_job_exactly_one_result_is_recorded()
    {
        using var store = await NewStore("once");
        var c = await store.CreateConversationAsync("race");
        await store.AddTurnAsync("job1", c.Id, "x", null, 1, null);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.StartAttemptAsync("job1", $"w{i}")));
        Assert.Equal(Enumerable.Range(1, 6), attempts.Select(a => a!.Value).Order());

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.FinishOnceAsync(new JobResult("job1", $"w{i}#{i + 1}", TurnStatus.Done, $"reply {i}", null,
            new TrackRecord($"track{i}", c.Id, "job1", $"sha256/{new string('e', 64)}/{i:D32}.wav", 1, 32000, 1, "t", DateTimeOffset.UtcNow)))));
        var winner = Assert.Single(Enumerable.Range(0, 6), i => results[i]);
        var detail = (await store.GetConversationAsync(c.Id))!;
        Assert.Equal($"track{winner}", Assert.Single(detail.Tracks).Id);
        Assert.Equal($"reply {winner}", detail.Turns[0].ReplyText);
        Assert.Equal(TurnStatus.Done, detail.Turns[0].Status);
        var job = (await store.GetJobAsync("job1"))!;
        Assert.Equal(($"w{winner}#{winner + 1}", "done", 6), (job.FinishedBy, job.Status, job.Attempts));

        // the winner's call repeated (its reply was lost) is still the winner; a late attempt is not started at all
        Assert.True(await store.FinishOnceAsync(new JobResult("job1", $"w{winner}#{winner + 1}", TurnStatus.Done, "", null, null)));
        Assert.Null(await store.StartAttemptAsync("job1", "late"));
    }

    [ScaleOutFact]
    public async Task A_call_made_while_the_server_restarts_waits_for_it_and_succeeds()
    {
        using var store = await NewStore("restart");
        var c = await store.CreateConversationAsync("before");
        await servers.Postgres.StopAsync();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(1500);
            await servers.Postgres.StartAsync();
        });
        try
        {
            var during = await store.CreateConversationAsync("during the restart");
            Assert.Equal(["before", "during the restart"], (await store.ListConversationsAsync()).Select(x => x.Title).Order());
            Assert.NotNull(await store.GetConversationAsync(during.Id));
        }
        finally { await restart; }
    }

    private async Task<PostgresConversationStore> NewStore(string name)
    {
        var store = new PostgresConversationStore(await servers.Postgres.NewDatabaseAsync(name), distributed: true);
        await store.MigrateAsync();
        return store;
    }
}
