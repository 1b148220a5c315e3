using Microsoft.AspNetCore.Http.Features;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>
/// Turns: POST a message (multipart: text, one file, optional inputTrackId, seconds, seed, wordsOnly) to a conversation; with
/// <c>Accept: text/event-stream</c> the answer streams back at once (and closing the connection cancels the work),
/// otherwise 202 with the URL of the events. GET a turn, its events (replayed, then live) or cancel it.
/// </summary>
public static class TurnEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/conversations/{id}/turns", Submit).WithTags("Turns")
            .WithSummary("Send a message (multipart/form-data: text, file, kind, inputTrackId, seconds, seed, wordsOnly)")
            .Accepts<IFormFile>("multipart/form-data").Produces<TurnAcceptedDto>(202).Produces(200, contentType: "text/event-stream")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(429)
            .DisableAntiforgery();

        var turns = app.MapGroup("/api/turns").WithTags("Turns");
        turns.MapGet("/{id}", async (string id, IConversationStore store, CancellationToken ct) =>
        {
            if (await store.GetTurnAsync(id, ct) is not { } turn) return Problems.NotFound("turn", id);
            var detail = await store.GetConversationAsync(turn.ConversationId, ct);
            return Results.Ok(Dto.Turn(turn, detail?.Attachments ?? [], detail?.Tracks ?? []));
        }).WithSummary("A turn and its state").Produces<TurnDto>().ProducesProblem(404);

        turns.MapGet("/{id}/events", async (string id, HttpContext context, IConversationStore store, ITurnEventHub hub) =>
        {
            var ct = context.RequestAborted;
            if (hub.Find(id) is { } live)
            {
                await ServerSentEvents.WriteAsync(context.Response, live.Read(ct), ct);
                return Results.Empty;
            }
            if (await store.GetTurnAsync(id, ct) is not { } turn) return Problems.NotFound("turn", id);
            var detail = await store.GetConversationAsync(turn.ConversationId, ct);
            await ServerSentEvents.WriteAsync(context.Response, Once(new TurnEvent("done", Dto.Turn(turn, detail?.Attachments ?? [], detail?.Tracks ?? []))), ct);
            return Results.Empty;
        }).WithSummary("The turn's events as server-sent events: status, token, progress, notice, audio, track, error, done")
            .Produces(200, contentType: "text/event-stream").ProducesProblem(404);

        turns.MapPost("/{id}/cancel", async (string id, IConversationStore store, ITurnEventHub hub, CancellationToken ct) =>
        {
            if (hub.Find(id) is { Finished: false } live)
            {
                await live.Cancellation.CancelAsync();
                return Results.Accepted($"/api/turns/{id}");
            }
            return await store.GetTurnAsync(id, ct) is null
                ? Problems.NotFound("turn", id)
                : Problems.Result(409, "Turn finished", $"turn '{id}' is not running");
        }).WithSummary("Stop a queued or running turn").Produces(202).ProducesProblem(404).ProducesProblem(409);
    }

    private static async IAsyncEnumerable<TurnEvent> Once(TurnEvent e)
    {
        await Task.CompletedTask;
        yield return e;
    }

    private static async Task<IResult> Submit(string id, HttpContext context, TurnService turns, ServerOptions options)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        var limit = options.Limits.MaxUploadBytes + FormSlack;
        if (request.ContentLength > limit)
            return Problems.Result(413, "Upload too large", $"the request is {request.ContentLength} bytes; attachments may be {options.Limits.MaxUploadBytes} bytes");
        if (!request.HasFormContentType)
            return Problems.Result(415, "Unsupported media type", $"send the turn as multipart/form-data (fields text, file, inputTrackId, seconds), not '{request.ContentType}'");
        IFormCollection form;
        try { form = await request.ReadFormAsync(ct); }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return e is BadHttpRequestException { StatusCode: 413 } || e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? Problems.Result(413, "Upload too large", $"the upload is over the limit of {options.Limits.MaxUploadBytes} bytes")
                : Problems.BadRequest($"the form cannot be read: {e.Message}");
        }
        if (form.Files.Count > 1) return Problems.BadRequest($"{form.Files.Count} files were attached; a turn takes one");
        double? seconds = null;
        if (form["seconds"] is { Count: > 0 } sv && !string.IsNullOrWhiteSpace(sv[0]))
        {
            if (!double.TryParse(sv[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed))
                return Problems.BadRequest($"seconds '{sv[0]}' is not a number");
            seconds = parsed;
        }
        ulong? seed = null;
        if (form["seed"] is { Count: > 0 } seedText && !string.IsNullOrWhiteSpace(seedText[0]))
        {
            if (!ulong.TryParse(seedText[0], out var s)) return Problems.BadRequest($"seed '{seedText[0]}' is not a whole number");
            seed = s;
        }
        var wordsOnly = false;
        if (form["wordsOnly"] is { Count: > 0 } wo && !string.IsNullOrWhiteSpace(wo[0]) && !bool.TryParse(wo[0], out wordsOnly))
            return Problems.BadRequest($"wordsOnly '{wo[0]}' is not true or false");
        var file = form.Files.Count == 1 ? form.Files[0] : null;
        var kind = form["kind"].ToString() is { Length: > 0 } k ? TurnService.KindOf(k + "/") : null;
        if (form["kind"].ToString() is { Length: > 0 } given && kind is null) return Problems.BadRequest($"kind '{given}' is not audio, image or video");
        var upload = file is null ? null : new UploadedFile(file.FileName, file.ContentType ?? "", kind, file.Length, file.OpenReadStream);
        var inputTrack = form["inputTrackId"].ToString() is { Length: > 0 } t ? t : null;

        TurnRecord turn;
        ILiveTurn live;
        try
        {
            (turn, live) = await turns.SubmitAsync(new TurnSubmission(id, form["text"].ToString(), upload, inputTrack, seconds, seed, WordsOnly: wordsOnly), ct);
        }
        catch (TurnRefusedException e)
        {
            if (e.RetryAfter is { } wait) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Result(e.Status, e.Title, e.Message);
        }

        var dto = Dto.Turn(turn, [], []);
        if (!request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
            return Results.Accepted(dto.EventsUrl, new TurnAcceptedDto(dto, dto.EventsUrl, $"/api/turns/{turn.Id}/cancel"));
        // streamed: the client holds the connection; leaving it cancels the work
        await using var stopOnLeave = new ClientBoundTurn(live, ct);
        try { await ServerSentEvents.WriteAsync(context.Response, live.Read(ct), ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return Results.Empty;
    }

    /// <summary>Room for the form's fields and multipart boundaries beside the attachment itself.</summary>
    public const long FormSlack = 64 * 1024;
}
