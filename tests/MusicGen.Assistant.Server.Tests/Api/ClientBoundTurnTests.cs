using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Tests.Api;

/// <summary>A streamed turn's work stops whenever its client is gone, and only then.</summary>
public sealed class ClientBoundTurnTests
{
    private static ILiveTurn NewTurn() => new TurnEventHub().Open(Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_client_that_leaves_cancels_the_unfinished_turn()
    {
        var live = NewTurn();
        using var client = new CancellationTokenSource();
        await using (new ClientBoundTurn(live, client.Token))
        {
            Assert.False(live.Cancellation.IsCancellationRequested);
            await client.CancelAsync();
            Assert.True(live.Cancellation.IsCancellationRequested);
        }
    }

    [Fact]
    public async Task A_stream_that_ends_before_the_final_event_cancels_the_turn()
    {
        var live = NewTurn();
        live.Publish(new TurnEvent("status", new { state = "running" }));
        await using (new ClientBoundTurn(live, CancellationToken.None)) { } // e.g. an event write that threw
        Assert.True(live.Cancellation.IsCancellationRequested);
    }

    [Fact]
    public async Task A_finished_turn_is_left_alone_and_a_later_leave_changes_nothing()
    {
        var live = NewTurn();
        using var client = new CancellationTokenSource();
        await using (new ClientBoundTurn(live, client.Token))
        {
            live.Publish(new TurnEvent("done", new { status = "done" }));
        }
        await client.CancelAsync();
        Assert.True(live.Finished);
        Assert.False(live.Cancellation.IsCancellationRequested);
    }
}
