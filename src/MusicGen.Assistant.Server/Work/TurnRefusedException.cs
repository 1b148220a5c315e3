namespace MusicGen.Assistant.Server.Work;

/// <summary>A turn the service will not take, with the HTTP status and problem text to answer with.</summary>
public sealed class TurnRefusedException(int status, string title, string detail, TimeSpan? retryAfter = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
