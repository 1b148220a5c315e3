using System.Text.Json;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>A server-sent event as the tests read it.</summary>
public sealed record SseEvent(string Type, JsonElement Data);

/// <summary>Reads server-sent events from a response until the stream ends.</summary>
public static class EventStream
{
    public static async IAsyncEnumerable<SseEvent> Read(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        string type = "message", data = "";
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return new SseEvent(type, JsonDocument.Parse(data).RootElement.Clone());
                (type, data) = ("message", "");
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
    }

    public static async Task<List<SseEvent>> ReadAll(HttpResponseMessage response, CancellationToken cancellation = default)
    {
        var all = new List<SseEvent>();
        await foreach (var e in Read(response, cancellation)) all.Add(e);
        return all;
    }
}
