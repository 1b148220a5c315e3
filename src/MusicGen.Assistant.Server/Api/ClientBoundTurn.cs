using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>
/// Binds a live turn to the client that holds its stream: the turn's work is cancelled when the client leaves (the
/// request is aborted) and also when the stream ends any other way before the turn's final event (a failed write, an
/// event that cannot be sent), so no work runs on for a client that is gone.
/// </summary>
public sealed class ClientBoundTurn : IAsyncDisposable
{
    private readonly ILiveTurn _live;
    private readonly CancellationTokenRegistration _onLeave;

    public ClientBoundTurn(ILiveTurn live, CancellationToken clientGone)
    {
        _live = live;
        _onLeave = clientGone.Register(static state => StopUnfinished((ILiveTurn)state!), live);
    }

    private static void StopUnfinished(ILiveTurn live)
    {
        if (live.Finished) return;
        try { live.Cancellation.Cancel(); }
        catch (ObjectDisposedException) { /* the turn was forgotten meanwhile */ }
    }

    public async ValueTask DisposeAsync()
    {
        await _onLeave.DisposeAsync();
        StopUnfinished(_live);
    }
}
