namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>
/// The kinds of queued job. A turn job answers one turn: the reply, the track it renders and the embedding of its
/// attachment all run in one engine call, so the service has one kind today; the queue carries the kind so that a job
/// of another kind routes by the same rule (<see cref="Workers.RenderRouting"/>).
/// </summary>
public static class JobKinds
{
    public const string Turn = "turn";

    /// <summary>Whether jobs of this kind run the music model (they go to the render stream, which GPU workers take first).</summary>
    public static bool Renders(string kind) => kind == Turn;
}
