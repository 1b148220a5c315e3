using System.Text.Json;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>Conversations CRUD, persistence across a restart, crash recovery, deleting files, the API key, OpenAPI, health and metrics.</summary>
public sealed class ConversationTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Conversations_are_created_listed_renamed_and_deleted_with_their_files()
    {
        using var factory = new AssistantFactory(_data.Path);
        var client = factory.CreateClient();
        var id = await Helpers.Api.NewConversation(client, "first");
        var rename = new HttpRequestMessage(HttpMethod.Patch, $"/api/conversations/{id}") { Content = JsonContent.Create(new { title = "renamed" }) };
        Assert.Equal("renamed", (await (await client.SendAsync(rename)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        var list = await client.GetFromJsonAsync<JsonElement>("/api/conversations");
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("id").GetString() == id && c.GetProperty("title").GetString() == "renamed");

        await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, id, Helpers.Api.Turn("with a file", TestMedia.Wav(0.3))));
        Assert.Single(factory.StoredFiles("uploads"));
        Assert.Single(factory.StoredFiles("tracks"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/conversations/{id}")).StatusCode);
        Assert.Empty(factory.StoredFiles("uploads"));
        Assert.Empty(factory.StoredFiles("tracks"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/conversations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Conversations_turns_attachments_and_tracks_survive_a_restart_and_a_turn_cut_by_a_crash_is_marked_failed()
    {
        string id, trackUrl;
        byte[] wav;
        using (var factory = new AssistantFactory(_data.Path))
        {
            var client = factory.CreateClient();
            id = await Helpers.Api.NewConversation(client, "kept");
            var events = await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, id, Helpers.Api.Turn("kept", TestMedia.Wav(0.2))));
            trackUrl = events.Single(e => e.Type == "track").Data.GetProperty("url").GetString()!;
            wav = await client.GetByteArrayAsync(trackUrl);
        }
        // a turn left "running" in the database, as a killed process leaves it
        var store = new MusicGen.Assistant.Server.Storage.SqliteConversationStore(Path.Combine(_data.Path, "conversations.db"));
        var cut = await store.AddTurnAsync("cutcutcutcutcutcutcutcutcutcut00", id, "cut short", null, 1, null);
        await store.SetTurnStatusAsync(cut.Id, MusicGen.Assistant.Server.Storage.TurnStatus.Running);

        using (var factory = new AssistantFactory(_data.Path))
        {
            var client = factory.CreateClient();
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}");
            Assert.Equal("kept", detail.GetProperty("title").GetString());
            var turns = detail.GetProperty("turns").EnumerateArray().ToList();
            Assert.Equal(2, turns.Count);
            Assert.Equal("done", turns[0].GetProperty("status").GetString());
            Assert.Single(turns[0].GetProperty("attachments").EnumerateArray());
            Assert.Equal(trackUrl, turns[0].GetProperty("tracks")[0].GetProperty("url").GetString());
            Assert.Equal(wav, await client.GetByteArrayAsync(trackUrl));
            Assert.Equal("failed", turns[1].GetProperty("status").GetString());
            Assert.Contains("interrupted", turns[1].GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task With_an_api_key_every_route_but_the_page_needs_it()
    {
        using var factory = new AssistantFactory(_data.Path, new Dictionary<string, string?> { ["Assistant:ApiKey"] = "s3cret" });
        var client = factory.CreateClient();
        foreach (var path in new[] { "/", "/index.html", "/app.js", "/app.css" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        foreach (var path in new[] { "/api/conversations", "/health", "/metrics", "/openapi/v1.json", "/v1/models" })
            await Helpers.Api.AssertProblem(await client.GetAsync(path), HttpStatusCode.Unauthorized);
        await Helpers.Api.AssertProblem(await client.PostAsync("/mcp", JsonContent.Create(new { })), HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        await Helpers.Api.AssertProblem(await client.GetAsync("/api/conversations"), HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/conversations")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_health_and_metrics_describe_the_service()
    {
        using var factory = new AssistantFactory(_data.Path);
        var client = factory.CreateClient();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var p in new[] { "/api/conversations", "/api/conversations/{id}", "/api/conversations/{id}/turns", "/api/turns/{id}/events", "/api/tracks/{id}", "/v1/chat/completions" })
            Assert.Contains(p, paths);

        var id = await Helpers.Api.NewConversation(client);
        await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, id, Helpers.Api.Turn("metrics")));
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Contains("UNTRAINED", health.GetProperty("modelSet").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(health.GetProperty("untrained").GetBoolean());
        Assert.True(health.GetProperty("loaded").GetBoolean());
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("mga_queue_depth 0", metrics);
        Assert.Contains("mga_turns_total{outcome=\"done\"} 1", metrics);
        Assert.Contains("mga_generation_seconds_count 1", metrics);
        Assert.Contains("mga_time_to_first_sound_seconds_count 1", metrics);
        Assert.Matches(@"mga_tokens_per_second_last [1-9]", metrics);
    }
}
