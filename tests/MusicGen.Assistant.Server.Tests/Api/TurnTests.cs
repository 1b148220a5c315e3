using System.Text.Json;
using MusicGen.Assistant.Server.Tests.Helpers;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>Whole turns through the real service on the tiny demo assistant: streamed answers, tracks, edits of a track.</summary>
public sealed class TurnTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly AssistantFactory _factory;

    public TurnTests() => _factory = new AssistantFactory(_data.Path);

    public void Dispose()
    {
        _factory.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_turn_with_an_audio_attachment_streams_text_progress_and_audio_and_renders_a_wav()
    {
        var client = _factory.CreateClient();
        var conversation = await Helpers.Api.NewConversation(client);
        const double inputSeconds = 0.4, newSeconds = 0.6;
        var res = await Helpers.Api.PostStreaming(client, conversation, Helpers.Api.Turn("add drums", TestMedia.Wav(inputSeconds), seconds: newSeconds));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        var events = await EventStream.ReadAll(res);

        var types = events.Select(e => e.Type).ToList();
        Assert.Equal("done", types[^1]);
        Assert.Contains("token", types);
        Assert.Contains("progress", types);
        Assert.True(types.IndexOf("token") < types.IndexOf("track"), "the reply starts before the track is ready");
        var reply = string.Concat(events.Where(e => e.Type == "token").Select(e => e.Data.GetProperty("text").GetString()));
        var done = events[^1].Data;
        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.Equal(reply, done.GetProperty("reply").GetString());
        Assert.Contains(events, e => e.Type == "progress" && e.Data.GetProperty("stage").GetString() == "generate" && e.Data.GetProperty("finished").GetBoolean());

        // streamed audio: in order, gapless, and as long as the finished track
        var audio = events.Where(e => e.Type == "audio").Select(e => e.Data).ToList();
        Assert.NotEmpty(audio);
        Assert.True(audio[^1].GetProperty("last").GetBoolean());
        long at = 0;
        foreach (var a in audio)
        {
            Assert.Equal(at, a.GetProperty("offset").GetInt64());
            Assert.Equal(a.GetProperty("frames").GetInt32() * 2 * a.GetProperty("channels").GetInt32(), Convert.FromBase64String(a.GetProperty("pcm16").GetString()!).Length);
            at += a.GetProperty("frames").GetInt32();
        }

        var track = events.Single(e => e.Type == "track").Data;
        var wav = await client.GetByteArrayAsync(track.GetProperty("url").GetString());
        var (rate, channels, frames) = TestMedia.ReadWavHeader(wav);
        Assert.Equal(track.GetProperty("sampleRate").GetInt32(), rate);
        Assert.Equal(1, channels);
        Assert.Equal(at, frames);
        Assert.Equal(track.GetProperty("seconds").GetDouble(), frames / (double)rate, 6);
        Assert.Equal(newSeconds, frames / (double)rate, 2);
        Assert.Contains(events, e => e.Type == "notice" && e.Data.GetProperty("text").GetString()!.Contains("UNTRAINED", StringComparison.OrdinalIgnoreCase));

        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversation}");
        var turn = stored.GetProperty("turns")[0];
        Assert.Equal("add drums", turn.GetProperty("text").GetString());
        Assert.Equal("audio", turn.GetProperty("attachments")[0].GetProperty("kind").GetString());
        Assert.Equal("input.wav", turn.GetProperty("attachments")[0].GetProperty("fileName").GetString());
        Assert.DoesNotContain(_factory.StoredFiles("uploads"), f => Path.GetFileName(f).Contains("input"));
    }

    [Fact]
    public async Task A_words_only_question_about_a_track_is_answered_without_music()
    {
        var client = _factory.CreateClient();
        var conversation = await Helpers.Api.NewConversation(client);
        var first = await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, conversation, Helpers.Api.Turn("calm piano", seconds: 0.5)));
        var trackId = first.Single(e => e.Type == "track").Data.GetProperty("id").GetString();

        var events = await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, conversation,
            Helpers.Api.Turn("What is the mood of this track?", inputTrackId: trackId, wordsOnly: "true")));
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal("done", types[^1]);
        Assert.Contains("token", types);
        Assert.DoesNotContain("audio", types);
        Assert.DoesNotContain("track", types);
        var reply = string.Concat(events.Where(e => e.Type == "token").Select(e => e.Data.GetProperty("text").GetString()));
        Assert.NotEmpty(reply);
        Assert.Equal(reply, events[^1].Data.GetProperty("reply").GetString());

        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversation}");
        var turns = stored.GetProperty("turns");
        Assert.Equal(2, turns.GetArrayLength());
        Assert.Equal(trackId, turns[1].GetProperty("inputTrackId").GetString());
        Assert.Equal(0, turns[1].GetProperty("tracks").GetArrayLength());
        Assert.Single(_factory.StoredFiles("tracks"));
    }

    [Fact]
    public async Task A_track_sent_back_as_input_makes_a_new_track_and_tracks_support_range_requests()
    {
        var client = _factory.CreateClient();
        var conversation = await Helpers.Api.NewConversation(client);
        var first = await EventStream.ReadAll(await Helpers.Api.PostStreaming(client, conversation, Helpers.Api.Turn("calm piano", seconds: 0.5)));
        var track = first.Single(e => e.Type == "track").Data;

        var accepted = await client.PostAsync($"/api/conversations/{conversation}/turns",
            Helpers.Api.Turn("now with strings", inputTrackId: track.GetProperty("id").GetString(), seconds: 0.4));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var events = await EventStream.ReadAll(await client.GetAsync(body.GetProperty("eventsUrl").GetString(), HttpCompletionOption.ResponseHeadersRead));
        var edited = events.Single(e => e.Type == "track").Data;
        Assert.NotEqual(track.GetProperty("id").GetString(), edited.GetProperty("id").GetString());
        Assert.Equal(0.4, edited.GetProperty("seconds").GetDouble(), 2);
        var turn = await client.GetFromJsonAsync<JsonElement>($"/api/turns/{body.GetProperty("turn").GetProperty("id").GetString()}");
        Assert.Equal(track.GetProperty("id").GetString(), turn.GetProperty("inputTrackId").GetString());

        var range = new HttpRequestMessage(HttpMethod.Get, edited.GetProperty("url").GetString());
        range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
        var download = await client.GetAsync(edited.GetProperty("downloadUrl").GetString());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
    }
}
