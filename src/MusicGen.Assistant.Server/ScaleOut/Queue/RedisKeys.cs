namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>The Redis names of scale-out, in one place.</summary>
public static class RedisKeys
{
    /// <summary>Jobs that run the music model; GPU workers read it first (<see cref="Workers.RenderRouting"/>).</summary>
    public const string RenderStream = "mga:jobs:render";

    /// <summary>Jobs that do not run the music model.</summary>
    public const string GeneralStream = "mga:jobs:general";

    public static readonly string[] JobStreams = [RenderStream, GeneralStream];

    /// <summary>The consumer group every worker reads the job streams in.</summary>
    public const string Group = "workers";

    /// <summary>A job's events (status, tokens, progress, audio, track, error, done), written by its worker, read by web nodes.</summary>
    public static string Events(string jobId) => $"mga:events:{jobId}";

    /// <summary>Set when a job is to stop (a client cancelled or left).</summary>
    public static string Cancel(string jobId) => $"mga:cancel:{jobId}";

    /// <summary>A worker's announcement (device, free memory), with a time to live.</summary>
    public static string Worker(string name) => $"mga:worker:{name}";

    /// <summary>Names of workers that announced themselves (stale ones are dropped by readers).</summary>
    public const string Workers = "mga:workers";

    /// <summary>Pub/sub: a job was queued (its stream's name); wakes idle workers at once.</summary>
    public const string WakeChannel = "mga:wake";

    /// <summary>Pub/sub: a job has new events (its id); web nodes read its stream then.</summary>
    public const string EventsChannel = "mga:events";

    /// <summary>Pub/sub: a job is to stop (its id).</summary>
    public const string CancelChannel = "mga:cancel";
}
