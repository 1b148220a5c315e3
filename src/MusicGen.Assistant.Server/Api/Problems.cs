using Microsoft.AspNetCore.Mvc;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Server.Api;

/// <summary>Problem-details answers (RFC 9457) for every refusal, and the HTTP status of each library error kind.</summary>
public static class Problems
{
    public static int StatusOf(AssistantErrorKind? kind) => kind switch
    {
        AssistantErrorKind.InvalidRequest => StatusCodes.Status400BadRequest,
        AssistantErrorKind.BadInput => StatusCodes.Status422UnprocessableEntity,
        AssistantErrorKind.Unsupported => StatusCodes.Status415UnsupportedMediaType,
        AssistantErrorKind.ModelSet or AssistantErrorKind.Runtime => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult From(AssistantException e) => Result(StatusOf(e.Kind), Title(e.Kind), e.Message, new Dictionary<string, object?> { ["kind"] = e.Kind.ToString() });

    public static IResult NotFound(string what, string id) => Result(StatusCodes.Status404NotFound, $"Unknown {what}", $"there is no {what} with id '{id}'");

    public static IResult BadRequest(string detail) => Result(StatusCodes.Status400BadRequest, "Invalid request", detail);

    /// <summary>A detail for answers the framework makes itself (no route, wrong method or content type), so every problem says what was wrong.</summary>
    public static string DefaultDetail(HttpContext context, int? status)
    {
        var request = context.Request;
        return status switch
        {
            404 => $"there is nothing at {request.Method} {request.Path}",
            405 => $"{request.Path} does not take {request.Method}",
            415 => $"{request.Method} {request.Path} does not take content of type '{request.ContentType}'",
            _ => $"{request.Method} {request.Path} failed with status {status}",
        };
    }

    /// <summary>The body of a turn's "error" event.</summary>
    public static ProblemDetails ForTurn(AssistantErrorKind? kind, string message) => new()
    {
        Status = StatusOf(kind), Title = kind is { } k ? Title(k) : "Internal error", Detail = message,
    };

    private static string Title(AssistantErrorKind kind) => kind switch
    {
        AssistantErrorKind.InvalidRequest => "Invalid request",
        AssistantErrorKind.BadInput => "Unreadable input",
        AssistantErrorKind.Unsupported => "Unsupported input",
        AssistantErrorKind.ModelSet => "Model set problem",
        AssistantErrorKind.Runtime => "Runtime problem",
        _ => "Cannot write output",
    };
}
