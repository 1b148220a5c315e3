using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>/api/conversations: list, create, read (with its turns, attachments and tracks), rename, delete (with its files).</summary>
public static class ConversationEndpoints
{
    public const int MaxTitle = 200;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/conversations").WithTags("Conversations");
        group.MapGet("/", async (IConversationStore store, CancellationToken ct) =>
            Results.Ok((await store.ListConversationsAsync(ct)).Select(Dto.Conversation).ToList()))
            .WithSummary("All conversations, the latest first").Produces<List<ConversationDto>>();

        group.MapPost("/", async (HttpRequest request, IConversationStore store, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateConversationRequest>(request, required: false);
            if (problem is not null) return problem;
            var title = body?.Title?.Trim();
            if (title is { Length: > MaxTitle }) return Problems.BadRequest($"the title has {title.Length} characters; the limit is {MaxTitle}");
            var created = await store.CreateConversationAsync(string.IsNullOrEmpty(title) ? "New conversation" : title, ct);
            return Results.Created($"/api/conversations/{created.Id}", Dto.Conversation(created));
        }).WithSummary("Start a conversation (optional JSON body: {\"title\": ...})").Produces<ConversationDto>(201).ProducesProblem(400);

        group.MapGet("/{id}", async (string id, IConversationStore store, CancellationToken ct) =>
            await store.GetConversationAsync(id, ct) is { } detail ? Results.Ok(Dto.Detail(detail)) : Problems.NotFound("conversation", id))
            .WithSummary("A conversation with its turns, attachments and tracks").Produces<ConversationDetailDto>().ProducesProblem(404);

        group.MapPatch("/{id}", async (string id, HttpRequest request, IConversationStore store, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<RenameConversationRequest>(request);
            if (problem is not null) return problem;
            var title = body!.Title?.Trim();
            if (string.IsNullOrEmpty(title)) return Problems.BadRequest("the title is empty");
            if (title.Length > MaxTitle) return Problems.BadRequest($"the title has {title.Length} characters; the limit is {MaxTitle}");
            return await store.RenameConversationAsync(id, title, ct) is { } renamed ? Results.Ok(Dto.Conversation(renamed)) : Problems.NotFound("conversation", id);
        }).WithSummary("Rename a conversation").Produces<ConversationDto>().ProducesProblem(400).ProducesProblem(404);

        group.MapDelete("/{id}", async (string id, IConversationStore store, IFileStore files, ITurnEventHub hub, CancellationToken ct) =>
        {
            if (await store.GetConversationAsync(id, ct) is not { } detail) return Problems.NotFound("conversation", id);
            foreach (var turn in detail.Turns) hub.Find(turn.Id)?.Cancellation.Cancel(); // its running work stops too
            var keys = await store.DeleteConversationAsync(id, ct);
            foreach (var key in keys ?? []) files.Delete(key);
            return Results.NoContent();
        }).WithSummary("Delete a conversation, its turns and their files").Produces(204).ProducesProblem(404);
    }
}
