using System.Net.Http.Headers;
using System.Text.Json;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>Calls of the service's HTTP API the tests share.</summary>
public static class Api
{
    public static async Task<string> NewConversation(HttpClient client, string title = "test")
    {
        var res = await client.PostAsJsonAsync("/api/conversations", new { title });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static MultipartFormDataContent Turn(string text, byte[]? file = null, string fileName = "input.wav", string mediaType = "audio/wav",
        string? inputTrackId = null, double? seconds = null, string? wordsOnly = null)
    {
        var form = new MultipartFormDataContent { { new StringContent(text), "text" } };
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            form.Add(part, "file", fileName);
        }
        if (inputTrackId is not null) form.Add(new StringContent(inputTrackId), "inputTrackId");
        if (seconds is { } s) form.Add(new StringContent(s.ToString(System.Globalization.CultureInfo.InvariantCulture)), "seconds");
        if (wordsOnly is not null) form.Add(new StringContent(wordsOnly), "wordsOnly");
        return form;
    }

    /// <summary>Posts a turn asking for the answer as a stream; returns the response with headers read.</summary>
    public static async Task<HttpResponseMessage> PostStreaming(HttpClient client, string conversationId, HttpContent form, CancellationToken cancellation = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/conversations/{conversationId}/turns") { Content = form };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
    }

    /// <summary>Asserts an RFC 9457 problem body with that status and returns its detail.</summary>
    public static async Task<string> AssertProblem(HttpResponseMessage res, HttpStatusCode status)
    {
        Assert.True(status == res.StatusCode, $"{(int)res.StatusCode} {res.StatusCode}, expected {(int)status}: {await res.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var body = await res.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.TryGetProperty("detail", out _), $"no detail in {body}");
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        var detail = body.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }

    public static async Task<JsonElement> WaitForTurn(HttpClient client, string turnId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var turn = await client.GetFromJsonAsync<JsonElement>($"/api/turns/{turnId}");
            if (turn.GetProperty("status").GetString() is not ("queued" or "running")) return turn;
            if (DateTime.UtcNow > until) throw new TimeoutException($"turn {turnId} still {turn.GetProperty("status")}: {turn}");
            await Task.Delay(50);
        }
    }
}
