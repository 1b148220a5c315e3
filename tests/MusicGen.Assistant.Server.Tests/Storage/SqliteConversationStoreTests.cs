using Microsoft.Data.Sqlite;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.Tests.Storage;

/// <summary>The SQLite store on its own: migrations, records round trip, cascades, interrupted turns.</summary>
public sealed class SqliteConversationStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private string Db => Path.Combine(_dir.Path, "conversations.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static async Task<long> Version(string db)
    {
        await using var c = new SqliteConnection($"Data Source={db}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA user_version;";
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Migrating_twice_keeps_the_data_and_a_newer_schema_is_refused()
    {
        var store = new SqliteConversationStore(Db);
        await store.MigrateAsync();
        var c = await store.CreateConversationAsync("kept");
        await store.MigrateAsync();
        Assert.Equal(1, await Version(Db));
        Assert.Equal("kept", (await store.GetConversationAsync(c.Id))!.Conversation.Title);

        await using (var conn = new SqliteConnection($"Data Source={Db}"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99;";
            await cmd.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync());
        Assert.Contains("99", e.Message);
    }

    [Fact]
    public async Task Turns_attachments_and_tracks_round_trip_and_go_with_their_conversation()
    {
        var store = new SqliteConversationStore(Db);
        await store.MigrateAsync();
        var c = await store.CreateConversationAsync("c");
        var turnId = SqliteConversationStore.NewId();
        var attachment = new AttachmentRecord(SqliteConversationStore.NewId(), turnId, "audio", "audio/wav", "my song.wav", "uploads/" + new string('a', 32) + ".wav", 123);
        var first = await store.AddTurnAsync(turnId, c.Id, "hello", null, 2.5, attachment);
        var second = await store.AddTurnAsync(SqliteConversationStore.NewId(), c.Id, "again", null, 1, null);
        Assert.Equal((0, 1), (first.Index, second.Index));
        var track = new TrackRecord(SqliteConversationStore.NewId(), c.Id, turnId, "tracks/" + new string('b', 32) + ".wav", 2.5, 32000, 1, "hello", DateTimeOffset.UtcNow);
        await store.AddTrackAsync(track);
        await store.SetTurnStatusAsync(turnId, TurnStatus.Done, "reply");

        var detail = (await store.GetConversationAsync(c.Id))!;
        Assert.Equal(["hello", "again"], detail.Turns.Select(t => t.UserText));
        Assert.Equal((TurnStatus.Done, "reply"), (detail.Turns[0].Status, detail.Turns[0].ReplyText));
        Assert.NotNull(detail.Turns[0].FinishedAt);
        Assert.Equal(attachment, Assert.Single(detail.Attachments));
        Assert.Equal(track.FileKey, Assert.Single(detail.Tracks).FileKey);

        Assert.Equal(1, await store.FailInterruptedTurnsAsync("stopped"));
        Assert.Equal((TurnStatus.Failed, "stopped"), ((await store.GetTurnAsync(second.Id))!.Status, (await store.GetTurnAsync(second.Id))!.Error));

        var keys = await store.DeleteConversationAsync(c.Id);
        Assert.Equal(new[] { attachment.FileKey, track.FileKey }.Order(), keys!.Order());
        Assert.Null(await store.GetTurnAsync(turnId));
        Assert.Null(await store.GetTrackAsync(track.Id));
        Assert.Null(await store.DeleteConversationAsync(c.Id));
    }

    [Fact]
    public void File_keys_are_generated_and_checked_before_they_become_paths()
    {
        var files = new LocalFileStore(_dir.Path);
        var key = files.NewKey("uploads", ".WAV");
        Assert.Matches("^uploads/[0-9a-f]{32}\\.wav$", key);
        Assert.StartsWith(Path.Combine(_dir.Path, "files"), files.PathOf(key));
        foreach (var bad in new[] { "../etc/passwd", "uploads/../../x", "/abs/path", "uploads/my song.wav", "uploads/" + new string('a', 32) + ".wav/.." })
            Assert.Throws<ArgumentException>(() => files.PathOf(bad));
    }
}
