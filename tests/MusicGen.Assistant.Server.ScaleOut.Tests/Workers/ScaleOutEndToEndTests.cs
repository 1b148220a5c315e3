using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Workers;

/// <summary>
/// The service split into a web node and worker processes on real Redis and PostgreSQL: a turn streamed through the
/// queue; a worker killed mid-job (SIGKILL) and one stalled past its claim (SIGSTOP) lose nothing and the job is
/// finished once, by another worker; restarts of PostgreSQL and Redis mid-job are ridden out.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutEndToEndTests(ScaleOutServers servers)
{
    [ScaleOutFact]
    public async Task A_turn_with_an_attachment_streams_from_a_worker_process_and_its_track_is_stored_once_by_hash()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(servers, "e2e", workers: 1);
        var conversation = await NewConversation(cluster.Client);
        var form = new MultipartFormDataContent { { new StringContent("a calm piano line"), "text" }, { new StringContent("0.5"), "seconds" } };
        var wav = new ByteArrayContent(TestMedia.Wav(0.5));
        wav.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(wav, "file", "tone.wav");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/conversations/{conversation}/turns") { Content = form };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await cluster.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var events = await EventStream.ReadAll(response);

        var types = events.Select(e => e.Type).ToList();
        Assert.True(types.Contains("token") && types.Contains("progress") && types.Contains("track"), string.Join(",", types) + cluster.Diagnostics());
        Assert.Equal("done", types[^1]);
        var done = events[^1].Data;
        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.Equal(string.Concat(events.Where(e => e.Type == "token").Select(e => e.Data.GetProperty("text").GetString())), done.GetProperty("reply").GetString());
        Assert.Contains(events, e => e.Type == "status" && e.Data.TryGetProperty("worker", out var w) && w.GetString() == "w1#1");

        // the track: served by the web node from the shared store, named by the hash of exactly those bytes
        var trackId = events.Single(e => e.Type == "track").Data.GetProperty("id").GetString()!;
        var bytes = await cluster.Client.GetByteArrayAsync($"/api/tracks/{trackId}");
        var record = (await cluster.Store.GetTrackAsync(trackId))!;
        Assert.StartsWith($"sha256/{Convert.ToHexStringLower(SHA256.HashData(bytes))}/", record.FileKey);
        var detail = (await cluster.Store.GetConversationAsync(conversation))!;
        var attachment = Assert.Single(detail.Attachments);
        Assert.True(ContentAddress.TryParseKey(attachment.FileKey, out var attachmentHash, out _, out _));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(TestMedia.Wav(0.5))), attachmentHash);
        var job = (await cluster.Store.GetJobAsync(detail.Turns[0].Id))!;
        Assert.Equal(("done", 1, "w1#1"), (job.Status, job.Attempts, job.FinishedBy));
        var health = await cluster.Client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal(0, health.GetProperty("queue").GetProperty("depth").GetInt32());
    }

    [ScaleOutFact]
    public async Task A_worker_killed_mid_job_loses_nothing_and_another_worker_finishes_the_job_once()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(servers, "kill", workers: 2);
        var conversation = await NewConversation(cluster.Client);
        var turn = await Accepted(cluster.Client, conversation, "a long drone", LongSeconds);
        var events = EventsOf(cluster.Client, turn);
        var first = await cluster.WaitUntilRunningAsync(turn);
        cluster.Workers.Single(w => w.Name == first).Kill();

        var stored = await WaitForTurn(cluster, turn);
        Assert.Equal("done", stored.GetProperty("status").GetString());
        var job = (await cluster.Store.GetJobAsync(turn))!;
        Assert.Equal(2, job.Attempts);
        Assert.NotNull(job.FinishedBy);
        Assert.False(job.FinishedBy!.StartsWith(first + "#", StringComparison.Ordinal), $"finished by {job.FinishedBy}, the killed {first}");
        var detail = (await cluster.Store.GetConversationAsync(conversation))!;
        var track = Assert.Single(detail.Tracks);
        var wav = await cluster.Client.GetByteArrayAsync($"/api/tracks/{track.Id}");
        Assert.True(TestMedia.ReadWavHeader(wav).Frames > 0);

        // the client that watched saw the take-over and one final answer
        var seen = await events;
        Assert.Contains(seen, e => e.Type == "notice" && e.Data.GetProperty("text").GetString()!.Contains("again from the start"));
        Assert.Equal("done", seen[^1].Type);
        Assert.Single(seen, e => e.Type == "track");
    }

    [ScaleOutFact]
    public async Task A_stalled_worker_past_its_claim_does_not_finish_the_job_a_second_time()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(servers, "stall", workers: 2);
        var conversation = await NewConversation(cluster.Client);
        var turn = await Accepted(cluster.Client, conversation, "a long drone", LongSeconds);
        var first = await cluster.WaitUntilRunningAsync(turn);
        var stalled = cluster.Workers.Single(w => w.Name == first);
        stalled.Pause(); // a long GC pause, a frozen VM: it holds the job but stops renewing
        try
        {
            Assert.Equal("done", (await WaitForTurn(cluster, turn)).GetProperty("status").GetString());
        }
        finally { stalled.Resume(); }
        // the stalled worker wakes with its work in hand: it learns it lost the claim and records nothing
        await Task.Delay(TimeSpan.FromSeconds(ScaleOutCluster.ClaimTimeoutSeconds));
        var job = (await cluster.Store.GetJobAsync(turn))!;
        Assert.False(job.FinishedBy!.StartsWith(first + "#", StringComparison.Ordinal));
        var detail = (await cluster.Store.GetConversationAsync(conversation))!;
        Assert.Single(detail.Tracks);
        Assert.Single(Directory.GetFiles(Path.Combine(cluster.SharedFiles, "blobs"), "*", SearchOption.AllDirectories)); // its track is not left behind
        Assert.False(stalled.Exited, stalled.Output);

        // and both workers go on taking jobs
        var next = await Accepted(cluster.Client, conversation, "a short one", 0.5);
        Assert.Equal("done", (await WaitForTurn(cluster, next)).GetProperty("status").GetString());
    }

    [ScaleOutFact]
    public async Task Restarts_of_PostgreSQL_and_Redis_while_a_job_runs_are_ridden_out()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(servers, "restarts", workers: 1);
        var conversation = await NewConversation(cluster.Client);
        var turn = await Accepted(cluster.Client, conversation, "through the storm", LongSeconds);
        await cluster.WaitUntilRunningAsync(turn);
        await servers.Postgres.StopAsync();
        await servers.Redis.StopAsync();
        await Task.Delay(1000);
        await servers.Postgres.StartAsync();
        await servers.Redis.StartAsync();

        Assert.Equal("done", (await WaitForTurn(cluster, turn)).GetProperty("status").GetString());
        var job = (await cluster.Store.GetJobAsync(turn))!;
        Assert.Equal(("done", 1), (job.Status, job.Attempts));
        Assert.Single((await cluster.Store.GetConversationAsync(conversation))!.Tracks);
        var after = await Accepted(cluster.Client, conversation, "after the storm", 0.5);
        Assert.Equal("done", (await WaitForTurn(cluster, after)).GetProperty("status").GetString());
    }

    /// <summary>Seconds of music long enough that a worker is still generating when the test acts on it.</summary>
    private const double LongSeconds = 6;

    private static async Task<string> Accepted(HttpClient client, string conversation, string text, double seconds)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(text), "text" },
            { new StringContent(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)), "seconds" },
        };
        var res = await client.PostAsync($"/api/conversations/{conversation}/turns", form);
        Assert.True(res.StatusCode == HttpStatusCode.Accepted, await res.Content.ReadAsStringAsync());
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turn").GetProperty("id").GetString()!;
    }

    private static async Task<List<SseEvent>> EventsOf(HttpClient client, string turn)
    {
        using var res = await client.GetAsync($"/api/turns/{turn}/events", HttpCompletionOption.ResponseHeadersRead);
        return await EventStream.ReadAll(res);
    }

    private static async Task<JsonElement> WaitForTurn(ScaleOutCluster cluster, string turn)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var t = await cluster.Client.GetFromJsonAsync<JsonElement>($"/api/turns/{turn}");
            if (t.GetProperty("status").GetString() is not ("queued" or "running")) return t;
            if (DateTime.UtcNow > until) throw new TimeoutException($"turn {turn} still {t.GetProperty("status")}: {cluster.Diagnostics()}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> NewConversation(HttpClient client)
    {
        var res = await client.PostAsJsonAsync("/api/conversations", new { title = "scale-out" });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
