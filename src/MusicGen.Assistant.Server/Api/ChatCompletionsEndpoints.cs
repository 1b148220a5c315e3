using System.Text.Json;
using System.Text.Json.Serialization;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>
/// OpenAI-compatible <c>/v1/chat/completions</c> (streaming and not) and <c>/v1/models</c>, so existing clients can
/// talk to the assistant: the last user message is the turn, earlier messages its history. Each call is a turn of a
/// conversation of its own (visible in the page); a rendered track is linked at the end of the reply. Closing the
/// connection cancels the work.
/// </summary>
public static class ChatCompletionsEndpoints
{
    public const string ModelName = "musicgen-assistant";

    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("OpenAI-compatible");
        v1.MapGet("/models", () => Results.Ok(new
        {
            @object = "list",
            data = new[] { new { id = ModelName, @object = "model", created = 0L, owned_by = "musicgen-assistant" } },
        })).WithSummary("The one model this service answers as");
        v1.MapPost("/chat/completions", Complete).WithSummary("Chat completions for text turns (stream: true for server-sent chunks)")
            .ProducesProblem(400).ProducesProblem(429);
    }

    private static async Task<IResult> Complete(HttpContext context, IConversationStore store, TurnService turns)
    {
        var ct = context.RequestAborted;
        var (body, problem) = await JsonBody.ReadAsync<ChatRequest>(context.Request);
        if (problem is not null) return problem;
        if (body!.Messages is not { Count: > 0 } messages) return Problems.BadRequest("'messages' is empty; send at least one user message");
        var lastUser = messages.FindLastIndex(m => m.Role == "user");
        if (lastUser < 0) return Problems.BadRequest("'messages' holds no message with role 'user'");
        string text;
        try { text = messages[lastUser].Text(); }
        catch (FormatException e) { return Problems.BadRequest(e.Message); }
        var history = new List<HistoryEntry>();
        for (var i = 0; i < lastUser; i++)
            if (messages[i].Role == "user")
                history.Add(new HistoryEntry(SafeText(messages[i]), i + 1 < lastUser && messages[i + 1].Role == "assistant" ? SafeText(messages[i + 1]) : "", null));

        var conversation = await store.CreateConversationAsync(Title(text), ct);
        ILiveTurn live;
        try
        {
            (_, live) = await turns.SubmitAsync(new TurnSubmission(conversation.Id, text, Seed: body.Seed, History: history), ct);
        }
        catch (TurnRefusedException e)
        {
            await store.DeleteConversationAsync(conversation.Id, CancellationToken.None);
            if (e.RetryAfter is { } wait) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Result(e.Status, e.Title, e.Message);
        }
        await using var stopOnLeave = new ClientBoundTurn(live, ct);
        var id = "chatcmpl-" + live.Id;
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";

        if (body.Stream != true)
        {
            var outcome = await TurnOutcome.CollectAsync(live, ct);
            if (outcome.Status != "done")
                return Problems.Result(outcome.Status == "cancelled" ? 499 : 500, "Turn failed", outcome.Error ?? outcome.Status);
            return Results.Json(new
            {
                id, @object = "chat.completion", created, model = ModelName,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = outcome.Text + TrackLine(outcome.Track, baseUrl) }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 0, completion_tokens = 0, total_tokens = 0 },
            });
        }

        ServerSentEvents.Start(context.Response);
        async Task Send(object chunk)
        {
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk, JsonSerializerOptions.Web)}\n\n", ct);
            await context.Response.Body.FlushAsync(ct);
        }
        object Chunk(string? content, string? finish, string? role = null) => new
        {
            id, @object = "chat.completion.chunk", created, model = ModelName,
            choices = new[] { new { index = 0, delta = new { role, content }, finish_reason = finish } },
        };
        try
        {
            await Send(Chunk("", null, "assistant"));
            var result = await TurnOutcome.CollectAsync(live, ct, delta => Send(Chunk(delta, null)));
            var tail = result.Status == "done" ? TrackLine(result.Track, baseUrl) : $"\n\n[{result.Status}: {result.Error}]";
            if (tail.Length > 0) await Send(Chunk(tail, null));
            await Send(Chunk(null, "stop"));
            await context.Response.WriteAsync("data: [DONE]\n\n", ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return Results.Empty;
    }

    private static string TrackLine(TrackDto? track, string baseUrl) =>
        track is null ? "" : $"\n\nTrack ({track.Seconds:0.#} s): {baseUrl}{track.Url}";

    private static string Title(string text) => text.Length <= 60 ? text : text[..60] + "...";

    private static string SafeText(ChatMessage m)
    {
        try { return m.Text(); }
        catch (FormatException) { return ""; }
    }

    public sealed record ChatRequest(string? Model, List<ChatMessage>? Messages, bool? Stream, ulong? Seed);

    public sealed record ChatMessage(string? Role, JsonElement Content)
    {
        /// <summary>A string, or the text parts of a content array.</summary>
        public string Text() => Content.ValueKind switch
        {
            JsonValueKind.String => Content.GetString() ?? "",
            JsonValueKind.Array => string.Concat(Content.EnumerateArray()
                .Where(p => p.TryGetProperty("type", out var t) && t.GetString() == "text")
                .Select(p => p.TryGetProperty("text", out var x) ? x.GetString() : "")),
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => throw new FormatException($"a message's content is a {Content.ValueKind}; give a string or an array of parts"),
        };
    }
}
