using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.Api;

/// <summary>Tracks (WAV, with range requests for seeking players; <c>?download=true</c> as an attachment) and uploaded files.</summary>
public static class FileEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tracks/{id}", async (string id, bool? download, IConversationStore store, IFileStore files, CancellationToken ct) =>
        {
            if (await store.GetTrackAsync(id, ct) is not { } track || !files.Exists(track.FileKey)) return Problems.NotFound("track", id);
            var name = download == true ? $"{Slug(track.Title)}-{track.Id[..8]}.wav" : null;
            return Results.File(files.PathOf(track.FileKey), "audio/wav", name, enableRangeProcessing: true);
        }).WithTags("Tracks").WithSummary("A rendered track as WAV (supports Range)").Produces(200, contentType: "audio/wav").Produces(206).ProducesProblem(404);

        app.MapGet("/api/tracks/{id}/info", async (string id, IConversationStore store, CancellationToken ct) =>
            await store.GetTrackAsync(id, ct) is { } track ? Results.Ok(Dto.Track(track)) : Problems.NotFound("track", id))
            .WithTags("Tracks").WithSummary("A track's facts").Produces<TrackDto>().ProducesProblem(404);

        app.MapGet("/api/attachments/{id}", async (string id, IConversationStore store, IFileStore files, CancellationToken ct) =>
        {
            if (await store.GetAttachmentAsync(id, ct) is not { } a || !files.Exists(a.FileKey)) return Problems.NotFound("attachment", id);
            // served as what its bytes were checked to be; the client's name only as a download name
            return Results.File(files.PathOf(a.FileKey), SafeMediaType(a), a.FileName, enableRangeProcessing: true);
        }).WithTags("Tracks").WithSummary("An uploaded file").ProducesProblem(404);
    }

    private static string SafeMediaType(AttachmentRecord a) =>
        a.MediaType.Split('/')[0] == a.Kind && !a.MediaType.Contains("html", StringComparison.OrdinalIgnoreCase) ? a.MediaType : "application/octet-stream";

    private static string Slug(string title)
    {
        var chars = title.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "track" : slug[..Math.Min(40, slug.Length)];
    }
}
