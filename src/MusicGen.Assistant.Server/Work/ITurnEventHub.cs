namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// Where a turn's events go between the worker that makes them and the clients that read them, and how a turn is
/// cancelled. The embedded default keeps them in this process (<see cref="TurnEventHub"/>); issue 13 puts a stream per
/// job here so a worker on another machine can publish and the web front read.
/// </summary>
public interface ITurnEventHub
{
    /// <summary>The turn's channel, made when first asked for.</summary>
    ILiveTurn Open(string turnId);

    /// <summary>The turn's channel if it is live (queued, running, or finished a moment ago).</summary>
    ILiveTurn? Find(string turnId);

    /// <summary>Drops a channel that will never be used (a turn the queue refused).</summary>
    void Forget(ILiveTurn turn);
}

/// <summary>One turn's events: published in order by its worker, read (from the start) by any number of clients.</summary>
public interface ILiveTurn
{
    string Id { get; }

    /// <summary>Cancels the turn's work (a client left, asked to cancel, or deleted the conversation).</summary>
    CancellationTokenSource Cancellation { get; }

    /// <summary>Whether the final "done" event was published.</summary>
    bool Finished { get; }

    void Publish(TurnEvent e);

    /// <summary>The events so far, then the live ones, ending after the final event.</summary>
    IAsyncEnumerable<TurnEvent> Read(CancellationToken cancellation);
}
