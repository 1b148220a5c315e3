using System.Text.Json;

namespace MusicGen.Assistant.Server.Api;

/// <summary>Reads a JSON request body; malformed JSON, the wrong content type or an empty body give a 400 problem naming what is wrong.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, bool required = true) where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
            return required ? (null, Problems.BadRequest("the request has no body; send JSON")) : (null, null);
        if (!request.HasJsonContentType())
            return (null, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"send the body as application/json, not '{request.ContentType}'"));
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSerializerOptions.Web, request.HttpContext.RequestAborted);
            return value is null && required ? (null, Problems.BadRequest("the JSON body is null")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"the JSON body is malformed: {e.Message}"));
        }
    }
}
