namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// The bounded queue between the front (HTTP) and the workers (one per device). The embedded default is an in-process
/// channel (<see cref="ChannelJobQueue"/>); issue 13 puts Redis Streams consumer groups behind this contract.
/// </summary>
public interface IJobQueue
{
    /// <summary>Adds a job unless the queue is full (the caller answers 429).</summary>
    bool TryEnqueue(TurnJob job);

    /// <summary>Waits for the next job.</summary>
    ValueTask<TurnJob> DequeueAsync(CancellationToken cancellation);

    /// <summary>Jobs waiting (not those being worked on).</summary>
    int Depth { get; }

    int Capacity { get; }
}
