using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using MusicGen.Assistant.Server.Tests.Helpers;
using OpenAI;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>Existing clients against the running service: the OpenAI chat client (through Microsoft.Extensions.AI) and an MCP client.</summary>
public sealed class ClientCompatibilityTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly AssistantFactory _factory;
    private readonly HttpClient _http;

    public ClientCompatibilityTests()
    {
        _factory = new AssistantFactory(_data.Path);
        _http = _factory.CreateClient();
    }

    public void Dispose()
    {
        _factory.Dispose();
        _data.Dispose();
    }

    private IChatClient OpenAiClient() =>
        new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(_http),
        }).GetChatClient("musicgen-assistant").AsIChatClient();

    [Fact]
    public async Task The_openai_client_gets_a_reply_with_a_track_link_streamed_and_not()
    {
        var client = OpenAiClient();
        var options = new ChatOptions { Seed = 3 };
        var messages = new List<ChatMessage> { new(ChatRole.System, "You make music."), new(ChatRole.User, "a slow blues") };
        var response = await client.GetResponseAsync(messages, options);
        var text = response.Text;
        Assert.Contains("/api/tracks/", text);
        var trackUrl = text[text.IndexOf("/api/tracks/", StringComparison.Ordinal)..].Trim();
        var wav = await _http.GetByteArrayAsync(trackUrl);
        Assert.True(TestMedia.ReadWavHeader(wav).Frames > 0);

        var streamed = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync([.. messages, new(ChatRole.Assistant, text), new(ChatRole.User, "faster")], options))
            if (!string.IsNullOrEmpty(update.Text)) streamed.Add(update.Text);
        Assert.True(streamed.Count > 2, $"{streamed.Count} streamed pieces");
        var whole = string.Concat(streamed);
        Assert.Contains("/api/tracks/", whole);
        // the reply's words come before the link, as separate updates
        Assert.StartsWith(text[..text.IndexOf("\n\nTrack", StringComparison.Ordinal)], whole);
    }

    [Fact]
    public async Task An_mcp_client_lists_and_calls_generate_describe_track_and_edit()
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(_http.BaseAddress!, "/mcp") }, _http);
        await using var mcp = await McpClient.CreateAsync(transport);
        var tools = (await mcp.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(["describe_track", "edit", "generate"], tools.Order().ToList());

        static string Text(CallToolResult r) => string.Concat(r.Content.OfType<TextContentBlock>().Select(c => c.Text));
        static string Field(string text, string name) => text.Split('\n').Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];

        var generated = await mcp.CallToolAsync("generate", new Dictionary<string, object?> { ["prompt"] = "calm piano", ["seconds"] = 0.5 });
        Assert.NotEqual(true, generated.IsError);
        var trackId = Field(Text(generated), "track id");
        Assert.Equal("0.5", Field(Text(generated), "seconds"));

        var info = await _http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/tracks/{trackId}/info");
        var conversationUrl = $"/api/conversations/{info.GetProperty("conversationId").GetString()}";
        var described = Text(await mcp.CallToolAsync("describe_track", new Dictionary<string, object?> { ["trackId"] = trackId, ["question"] = "What instruments play?" }));
        Assert.Equal(trackId, Field(described, "track id"));
        Assert.Equal("calm piano", Field(described, "request"));
        Assert.Equal("0.5", Field(described, "seconds"));
        // the assistant listened to the track (sent back as the turn's audio) and answered in words, making no music
        var turns = (await _http.GetFromJsonAsync<System.Text.Json.JsonElement>(conversationUrl)).GetProperty("turns").EnumerateArray().ToList();
        var asked = turns[^1];
        Assert.Equal("What instruments play?", asked.GetProperty("text").GetString());
        Assert.Equal(trackId, asked.GetProperty("inputTrackId").GetString());
        Assert.Equal("done", asked.GetProperty("status").GetString());
        Assert.Empty(asked.GetProperty("tracks").EnumerateArray());
        var reply = asked.GetProperty("reply").GetString()!;
        Assert.NotEmpty(reply);
        Assert.StartsWith(reply, described);

        var edited = await mcp.CallToolAsync("edit", new Dictionary<string, object?> { ["trackId"] = trackId, ["instruction"] = "add strings", ["seconds"] = 0.4 });
        var editedId = Field(Text(edited), "track id");
        Assert.NotEqual(trackId, editedId);
        var turn = await _http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/tracks/{editedId}/info");
        Assert.Equal(0.4, turn.GetProperty("seconds").GetDouble(), 2);

        var unknown = await mcp.CallToolAsync("describe_track", new Dictionary<string, object?> { ["trackId"] = "nope" });
        Assert.True(unknown.IsError);
    }
}
