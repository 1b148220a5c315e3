using System.Security.Cryptography;
using System.Text;

namespace MusicGen.Assistant.Server.Api;

/// <summary>
/// With an API key configured, every request but the page's own files must carry it (<c>Authorization: Bearer KEY</c>
/// or <c>X-Api-Key: KEY</c>); others get 401 with a problem body. Compared in constant time.
/// </summary>
public sealed class ApiKeyCheck(string key)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public static bool IsPageFile(PathString path) => path.Value is "/" or "/index.html" or "/app.js" or "/app.css" or "/favicon.ico";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsPageFile(context.Request.Path) || Matches(Given(context.Request)))
        {
            await next(context);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Result(StatusCodes.Status401Unauthorized, "API key required",
            "this service needs its API key: send 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'").ExecuteAsync(context);
    }

    private static string? Given(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].ToString() is { Length: > 0 } k) return k;
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    private bool Matches(string? given) => given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _key);
}
