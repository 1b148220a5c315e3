using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.Work;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>
/// A turn event as an entry of its job's event stream (type, data as JSON, the attempt that made it) and back, with
/// the same data types the in-process events have, so web's readers (SSE, chat completions, MCP) see no difference.
/// </summary>
public static class TurnEventCodec
{
    public static NameValueEntry[] Encode(TurnEvent e, int attempt, string worker) =>
    [
        new("type", e.Type),
        new("data", JsonSerializer.Serialize(e.Data, e.Data.GetType(), JsonSerializerOptions.Web)),
        new("attempt", attempt),
        new("worker", worker),
    ];

    public static (TurnEvent Event, int Attempt, string Worker) Decode(StreamEntry entry)
    {
        var type = (string?)entry["type"] ?? throw new FormatException($"event {entry.Id} has no type");
        var json = (string?)entry["data"] ?? "null";
        object data = type switch
        {
            "token" or "notice" => Read<TextDto>(json),
            "progress" => Read<ProgressDto>(json),
            "audio" => Read<AudioChunkDto>(json),
            "track" => Read<TrackDto>(json),
            "error" => Read<ProblemDetails>(json),
            "done" => TryRead<TurnDto>(json) ?? (object)JsonDocument.Parse(json).RootElement.Clone(),
            _ => JsonDocument.Parse(json).RootElement.Clone(),
        };
        return (new TurnEvent(type, data), (int)entry["attempt"], (string?)entry["worker"] ?? "");
    }

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web)
        ?? throw new FormatException($"an event's data is not a {typeof(T).Name}: {json}");

    private static T? TryRead<T>(string json) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web); }
        catch (JsonException) { return null; }
    }
}
