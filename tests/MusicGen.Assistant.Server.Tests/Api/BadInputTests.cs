using System.Net.Http.Headers;
using System.Text;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>Each bad input gets a clear 4xx problem-details answer and leaves nothing on disk.</summary>
public sealed class BadInputTests : IDisposable
{
    private const long MaxUpload = 64 * 1024;
    private readonly TempDirectory _data = new();
    private readonly AssistantFactory _factory;
    private readonly HttpClient _client;

    public BadInputTests()
    {
        _factory = new AssistantFactory(_data.Path, new Dictionary<string, string?> { ["Assistant:Limits:MaxUploadBytes"] = MaxUpload.ToString() });
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _factory.Dispose();
        _data.Dispose();
    }

    private async Task<string> Refused(HttpContent form, HttpStatusCode status, string? conversation = null)
    {
        conversation ??= await Helpers.Api.NewConversation(_client);
        var detail = await Helpers.Api.AssertProblem(await _client.PostAsync($"/api/conversations/{conversation}/turns", form), status);
        Assert.Empty(_factory.StoredFiles("uploads"));
        Assert.Empty(_factory.StoredFiles("tracks"));
        var stored = await _client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/conversations/{conversation}");
        Assert.Equal(0, stored.GetProperty("turns").GetArrayLength());
        return detail;
    }

    [Fact]
    public async Task An_oversized_upload_is_413() =>
        Assert.Contains("limit", await Refused(Helpers.Api.Turn("x", TestMedia.Wav(2.0)), HttpStatusCode.RequestEntityTooLarge));

    [Fact]
    public async Task Bytes_that_are_not_the_media_they_claim_are_422()
    {
        Assert.Contains("not a known audio", await Refused(Helpers.Api.Turn("x", TestMedia.NotMedia(), "song.wav"), HttpStatusCode.UnprocessableEntity));
        Assert.Contains("PNG image", await Refused(Helpers.Api.Turn("x", TestMedia.Png(), "song.wav", "audio/wav"), HttpStatusCode.UnprocessableEntity));
        // a WAV header with nothing valid behind it: the signature passes, ffprobe does not
        var broken = TestMedia.Wav(0.1)[..30];
        Assert.Contains("cannot be read", await Refused(Helpers.Api.Turn("x", broken, "cut.wav"), HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Empty_messages_unknown_ids_and_unknown_media_types_are_refused()
    {
        Assert.Contains("empty", await Refused(Helpers.Api.Turn("   "), HttpStatusCode.BadRequest));
        Assert.Contains("audio, image or video", await Refused(Helpers.Api.Turn("x", TestMedia.Wav(0.1), "a.bin", "application/octet-stream"), HttpStatusCode.UnsupportedMediaType));
        Assert.Contains("seconds", await Refused(Helpers.Api.Turn("x", seconds: 1e9), HttpStatusCode.BadRequest));
        Assert.Contains("wordsOnly 'maybe'", await Refused(Helpers.Api.Turn("x", wordsOnly: "maybe"), HttpStatusCode.BadRequest));
        Assert.Contains("no track", await Refused(Helpers.Api.Turn("x", inputTrackId: "0123456789abcdef0123456789abcdef"), HttpStatusCode.NotFound));
        var missing = await _client.PostAsync("/api/conversations/nope/turns", Helpers.Api.Turn("x"));
        Assert.Contains("nope", await Helpers.Api.AssertProblem(missing, HttpStatusCode.NotFound));
        foreach (var path in new[] { "/api/conversations/nope", "/api/turns/nope", "/api/tracks/nope", "/api/attachments/nope", "/api/turns/nope/events" })
            await Helpers.Api.AssertProblem(await _client.GetAsync(path), HttpStatusCode.NotFound);
        await Helpers.Api.AssertProblem(await _client.DeleteAsync("/api/conversations/nope"), HttpStatusCode.NotFound);
        await Helpers.Api.AssertProblem(await _client.PostAsync("/api/turns/nope/cancel", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Malformed_json_and_the_wrong_content_type_are_400_and_415()
    {
        var bad = new StringContent("{\"title\": ", Encoding.UTF8, "application/json");
        Assert.Contains("malformed", await Helpers.Api.AssertProblem(await _client.PostAsync("/api/conversations", bad), HttpStatusCode.BadRequest));
        var conversation = await Helpers.Api.NewConversation(_client);
        var rename = new HttpRequestMessage(HttpMethod.Patch, $"/api/conversations/{conversation}") { Content = new StringContent("[1,2", Encoding.UTF8, "application/json") };
        await Helpers.Api.AssertProblem(await _client.SendAsync(rename), HttpStatusCode.BadRequest);
        var chat = new StringContent("{\"messages\": [", Encoding.UTF8, "application/json");
        await Helpers.Api.AssertProblem(await _client.PostAsync("/v1/chat/completions", chat), HttpStatusCode.BadRequest);
        var json = new StringContent("{\"text\":\"hi\"}", Encoding.UTF8, "application/json");
        await Helpers.Api.AssertProblem(await _client.PostAsync($"/api/conversations/{conversation}/turns", json), HttpStatusCode.UnsupportedMediaType);
        var text = new StringContent("{}", Encoding.UTF8, "text/plain");
        await Helpers.Api.AssertProblem(await _client.PostAsync("/api/conversations", text), HttpStatusCode.UnsupportedMediaType);
    }
}
