using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.Hosting;

/// <summary>
/// Before the workers and the server start: brings the schema to the current version and marks turns that a stopped
/// process left queued or running as failed (they will never finish).
/// </summary>
public sealed class StartupPreparation(IConversationStore store, ILogger<StartupPreparation> log) : IHostedService
{
    public const string InterruptedReason = "interrupted: the service stopped before this turn finished";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        var failed = await store.FailInterruptedTurnsAsync(InterruptedReason, cancellationToken);
        if (failed > 0) log.LogWarning("{Count} turn(s) cut by a stop were marked failed", failed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
