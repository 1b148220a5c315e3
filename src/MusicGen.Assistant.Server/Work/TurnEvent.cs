namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// One event of a turn as clients see it (a server-sent event <c>event: Type</c>, <c>data: Data as JSON</c>):
/// status, token, progress, notice, audio, track, error, and last done (the turn as stored).
/// </summary>
public sealed record TurnEvent(string Type, object Data)
{
    /// <summary>The last event of a turn: nothing follows it.</summary>
    public bool IsFinal => Type == "done";
}
