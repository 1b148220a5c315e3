using MusicGen.Assistant.Server.Api;

namespace MusicGen.Assistant.Server.Work;

/// <summary>A finished turn as a waiting caller sees it: the reply, the track if one was made, and how it ended.</summary>
public sealed record TurnOutcome(string TurnId, string Text, TrackDto? Track, string Status, string? Error)
{
    /// <summary>Reads a turn's events to the end; <paramref name="onToken"/> sees each text delta as it comes.</summary>
    public static async Task<TurnOutcome> CollectAsync(ILiveTurn live, CancellationToken cancellation, Func<string, Task>? onToken = null)
    {
        var text = new System.Text.StringBuilder();
        TrackDto? track = null;
        string? error = null;
        var status = "failed";
        await foreach (var e in live.Read(cancellation))
        {
            switch (e.Data)
            {
                case TextDto token when e.Type == "token":
                    text.Append(token.Text);
                    if (onToken is not null) await onToken(token.Text);
                    break;
                case TrackDto t:
                    track = t;
                    break;
                case Microsoft.AspNetCore.Mvc.ProblemDetails p:
                    error = p.Detail;
                    break;
                case TurnDto turn:
                    status = turn.Status;
                    error ??= turn.Error;
                    break;
            }
        }
        return new TurnOutcome(live.Id, text.ToString(), track, status, error);
    }
}
