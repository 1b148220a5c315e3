using System.Text.Json;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>Writes a turn's events as server-sent events (<c>event:</c> type, <c>data:</c> one line of JSON), flushing each.</summary>
public static class ServerSentEvents
{
    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task WriteAsync(HttpResponse response, IAsyncEnumerable<TurnEvent> events, CancellationToken cancellation)
    {
        Start(response);
        await response.Body.FlushAsync(cancellation);
        await foreach (var e in events.WithCancellation(cancellation))
        {
            await response.WriteAsync($"event: {e.Type}\ndata: {JsonSerializer.Serialize(e.Data, e.Data.GetType(), JsonSerializerOptions.Web)}\n\n", cancellation);
            await response.Body.FlushAsync(cancellation);
        }
    }
}
