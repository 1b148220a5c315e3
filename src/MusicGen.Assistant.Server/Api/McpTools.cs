using System.ComponentModel;
using ModelContextProtocol.Server;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>
/// The MCP server at /mcp (streamable HTTP): generate, describe_track and edit as tools, so agent hosts can use the
/// assistant. Each call is a turn of a conversation, like the page's, and waits for it to finish.
/// </summary>
[McpServerToolType]
public sealed class McpTools(IConversationStore store, TurnService turns)
{
    public static void Add(IServiceCollection services) =>
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "musicgen-assistant", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<McpTools>();

    public static void Map(IEndpointRouteBuilder app) => app.MapMcp("/mcp");

    [McpServerTool(Name = "generate"), Description("Render a new track from a description. Returns the reply and the track's id and URL.")]
    public async Task<string> Generate(
        [Description("What the music should sound like, e.g. 'lo-fi hip hop beat with warm piano'.")] string prompt,
        [Description("Seconds of music (optional; the service's default otherwise).")] double? seconds = null,
        CancellationToken cancellation = default)
    {
        var conversation = await store.CreateConversationAsync("MCP: " + (prompt.Length > 50 ? prompt[..50] + "..." : prompt), cancellation);
        return await Run(new TurnSubmission(conversation.Id, prompt, Seconds: seconds), cancellation);
    }

    [McpServerTool(Name = "edit"), Description("Edit a track made earlier: continue it with more music following an instruction. Returns the new track.")]
    public async Task<string> Edit(
        [Description("The id of the track to edit (from generate or an earlier edit).")] string trackId,
        [Description("What the added music should sound like.")] string instruction,
        [Description("Seconds of music to add (optional).")] double? seconds = null,
        CancellationToken cancellation = default)
    {
        var track = await store.GetTrackAsync(trackId, cancellation) ?? throw new ArgumentException($"there is no track with id '{trackId}'");
        return await Run(new TurnSubmission(track.ConversationId, instruction, InputTrackId: track.Id, Seconds: seconds), cancellation);
    }

    /// <summary>What describe_track asks when the caller asks nothing in particular (M2UGen's music-understanding form).</summary>
    public const string DefaultDescribeQuestion = "Describe this music: its genre, instruments, mood and tempo.";

    [McpServerTool(Name = "describe_track"), Description("Describe a track made earlier: the assistant listens to it (its music encoder) and answers in words; no new music is made. Also returns the track's length, format and the request that made it.")]
    public async Task<string> DescribeTrack(
        [Description("The id of the track.")] string trackId,
        [Description("What to ask about the track (optional; by default its genre, instruments, mood and tempo).")] string? question = null,
        CancellationToken cancellation = default)
    {
        var track = await store.GetTrackAsync(trackId, cancellation) ?? throw new ArgumentException($"there is no track with id '{trackId}'");
        var made = await store.GetTurnAsync(track.TurnId, cancellation);
        var asked = string.IsNullOrWhiteSpace(question) ? DefaultDescribeQuestion : question.Trim();
        var answer = await Run(new TurnSubmission(track.ConversationId, asked, InputTrackId: track.Id, WordsOnly: true), cancellation);
        return $"{answer}\n" +
               $"track id: {track.Id}\ntitle: {track.Title}\nseconds: {track.Seconds:0.##}\nsample rate: {track.SampleRate} Hz\n" +
               $"channels: {track.Channels}\nmade: {track.CreatedAt:u}\nrequest: {made?.UserText}";
    }

    private async Task<string> Run(TurnSubmission submission, CancellationToken cancellation)
    {
        ILiveTurn live;
        try { (_, live) = await turns.SubmitAsync(submission, cancellation); }
        catch (TurnRefusedException e) { throw new InvalidOperationException($"{e.Title}: {e.Message}"); }
        await using var stopOnLeave = new ClientBoundTurn(live, cancellation);
        var outcome = await TurnOutcome.CollectAsync(live, cancellation);
        if (outcome.Status != "done") throw new InvalidOperationException($"the turn {outcome.Status}: {outcome.Error}");
        return outcome.Track is { } t
            ? $"{outcome.Text}\ntrack id: {t.Id}\ntrack url: {t.Url}\nseconds: {t.Seconds:0.##}"
            : outcome.Text;
    }
}
