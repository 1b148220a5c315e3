using System.Text.Json;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>A full queue answers 429, cancelled and disconnected turns stop their work, a failed turn leaves the service healthy.</summary>
public sealed class LoadAndFaultTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly AssistantFactory _factory;
    private readonly HttpClient _client;

    public LoadAndFaultTests()
    {
        _factory = new AssistantFactory(_data.Path, new Dictionary<string, string?> { ["Assistant:Limits:QueueLength"] = "1" });
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _factory.Engine.Release();
        _factory.Dispose();
        _data.Dispose();
    }

    private async Task<string> Accepted(string conversation, string text)
    {
        var res = await _client.PostAsync($"/api/conversations/{conversation}/turns", Helpers.Api.Turn(text));
        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turn").GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_keeps_nothing()
    {
        var conversation = await Helpers.Api.NewConversation(_client);
        _factory.Engine.Hold();
        var running = await Accepted(conversation, "one");
        Assert.True(await _factory.Engine.Held.WaitAsync(TimeSpan.FromSeconds(60)), "the first turn never started");
        var queued = await Accepted(conversation, "two"); // the one place in the queue
        var refused = await _client.PostAsync($"/api/conversations/{conversation}/turns", Helpers.Api.Turn("three", TestMedia.Wav(0.1)));
        Assert.Contains("waiting", await Helpers.Api.AssertProblem(refused, HttpStatusCode.TooManyRequests));
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Empty(_factory.StoredFiles("uploads"));
        Assert.Contains("mga_turns_total{outcome=\"rejected\"} 1", await _client.GetStringAsync("/metrics"));

        _factory.Engine.Release();
        Assert.Equal("done", (await Helpers.Api.WaitForTurn(_client, running)).GetProperty("status").GetString());
        Assert.Equal("done", (await Helpers.Api.WaitForTurn(_client, queued)).GetProperty("status").GetString());
        var turns = (await _client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversation}")).GetProperty("turns");
        Assert.Equal(2, turns.GetArrayLength());
    }

    [Fact]
    public async Task Cancelling_stops_the_generation_and_the_next_turn_runs()
    {
        var conversation = await Helpers.Api.NewConversation(_client);
        _factory.Engine.Hold();
        var turn = await Accepted(conversation, "stop me");
        Assert.True(await _factory.Engine.Held.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync($"/api/turns/{turn}/cancel", null)).StatusCode);
        var stopped = await Helpers.Api.WaitForTurn(_client, turn);
        Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
        Assert.Equal(0, stopped.GetProperty("tracks").GetArrayLength());
        Assert.Empty(_factory.StoredFiles("tracks"));
        await Helpers.Api.AssertProblem(await _client.PostAsync($"/api/turns/{turn}/cancel", null), HttpStatusCode.Conflict);

        _factory.Engine.Release();
        Assert.Equal("done", (await Helpers.Api.WaitForTurn(_client, await Accepted(conversation, "next"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_work()
    {
        var conversation = await Helpers.Api.NewConversation(_client);
        _factory.Engine.Hold();
        using var leave = new CancellationTokenSource();
        var res = await Helpers.Api.PostStreaming(_client, conversation, Helpers.Api.Turn("going away"), leave.Token);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        Assert.True(await _factory.Engine.Held.WaitAsync(TimeSpan.FromSeconds(60)), "the turn never started");
        var turnId = (await _client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversation}")).GetProperty("turns")[0].GetProperty("id").GetString();
        Assert.Equal("running", (await _client.GetFromJsonAsync<JsonElement>($"/api/turns/{turnId}")).GetProperty("status").GetString());
        leave.Cancel();
        res.Dispose();
        Assert.Equal("cancelled", (await Helpers.Api.WaitForTurn(_client, turnId!)).GetProperty("status").GetString());
        _factory.Engine.Release();
    }

    [Fact]
    public async Task A_failed_generation_reports_its_error_and_the_service_stays_healthy()
    {
        var conversation = await Helpers.Api.NewConversation(_client);
        _factory.Engine.FailNext = true;
        var events = await EventStream.ReadAll(await Helpers.Api.PostStreaming(_client, conversation, Helpers.Api.Turn("break")));
        var error = events.Single(e => e.Type == "error").Data;
        Assert.Contains("simulated engine fault", error.GetProperty("detail").GetString());
        Assert.Equal("failed", events[^1].Data.GetProperty("status").GetString());
        Assert.Equal("ok", (await _client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString());
        var next = await EventStream.ReadAll(await Helpers.Api.PostStreaming(_client, conversation, Helpers.Api.Turn("works again")));
        Assert.Equal("done", next[^1].Data.GetProperty("status").GetString());
        Assert.Contains("mga_turns_total{outcome=\"failed\"} 1", await _client.GetStringAsync("/metrics"));
    }
}
