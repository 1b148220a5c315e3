namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>
/// Settings of scale-out workers (section Assistant:Worker). A worker renews its claim on a running job every
/// <see cref="RenewSeconds"/>; one whose claim went <see cref="ClaimTimeoutSeconds"/> without renewal is taken for dead
/// and its job is claimed by another (XAUTOCLAIM). Routing: see <see cref="Workers.RenderRouting"/>.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>This worker's name in the consumer group and its heartbeat; empty: host name and process id.</summary>
    public string? Name { get; set; }

    /// <summary>A claim not renewed for this long is taken over by another worker.</summary>
    public double ClaimTimeoutSeconds { get; set; } = 30;

    /// <summary>How often a running job's claim is renewed (and its cancellation checked).</summary>
    public double RenewSeconds { get; set; } = 5;

    /// <summary>How often a worker announces itself; the announcement lives three times as long.</summary>
    public double HeartbeatSeconds { get; set; } = 5;

    /// <summary>A job started this many times without a result (each worker died or stalled) is failed instead of run again.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>A CPU worker takes a render while a live GPU worker is announced only once the render has waited this long.</summary>
    public double CpuTakesRendersAfterSeconds { get; set; } = 30;

    /// <summary>A GPU worker counts for renders only with at least this much free device memory announced (bytes).</summary>
    public long RenderMinFreeBytes { get; set; }

    /// <summary>How often an idle worker looks for jobs when no wake-up came (a wake-up comes with every new job).</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// A job recorded as queued this long ago, never started and in no job stream, is failed (its web node stopped
    /// between recording the turn and queueing it, or Redis lost it): its turn does not wait forever.
    /// </summary>
    public double LostJobSeconds { get; set; } = 120;

    public TimeSpan ClaimTimeout => Seconds(ClaimTimeoutSeconds, nameof(ClaimTimeoutSeconds));
    public TimeSpan Renew => Seconds(RenewSeconds, nameof(RenewSeconds));
    public TimeSpan Heartbeat => Seconds(HeartbeatSeconds, nameof(HeartbeatSeconds));
    public TimeSpan Poll => Seconds(PollSeconds, nameof(PollSeconds));
    public TimeSpan LostJob => Seconds(LostJobSeconds, nameof(LostJobSeconds));
    public TimeSpan CpuTakesRendersAfter => TimeSpan.FromSeconds(Math.Max(0, CpuTakesRendersAfterSeconds));

    /// <summary>Checks the settings against each other (a renewal slower than the timeout would lose every claim).</summary>
    public void Validate()
    {
        if (Renew >= ClaimTimeout)
            throw new InvalidOperationException($"Assistant:Worker:RenewSeconds ({RenewSeconds}) must be below ClaimTimeoutSeconds ({ClaimTimeoutSeconds}): claims would lapse while their jobs run");
        if (LostJob <= RedisJobQueuePatience)
            throw new InvalidOperationException($"Assistant:Worker:LostJobSeconds ({LostJobSeconds}) must be above {RedisJobQueuePatience.TotalSeconds} s, the longest a web node takes to queue a recorded turn");
        if (MaxAttempts < 1) throw new InvalidOperationException($"Assistant:Worker:MaxAttempts must be at least 1; got {MaxAttempts}");
        if (RenderMinFreeBytes < 0) throw new InvalidOperationException($"Assistant:Worker:RenderMinFreeBytes must not be negative; got {RenderMinFreeBytes}");
    }

    private static TimeSpan RedisJobQueuePatience => Queue.RedisJobQueue.EnqueuePatience;

    private static TimeSpan Seconds(double value, string name) => double.IsFinite(value) && value > 0 && value <= 86400
        ? TimeSpan.FromSeconds(value)
        : throw new InvalidOperationException($"Assistant:Worker:{name} must be above 0 and at most 86400 seconds; got {value}");
}
