namespace MusicGen.Assistant.Compute;

/// <summary>
/// Lets one job at a time use a loaded model: the weights are shared, but the graphs, compute buffers and the backend's
/// threads of one loaded model serve one computation at a time. A second caller waits (cancellably) for the first.
/// </summary>
internal sealed class JobGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>Waits for the gate; dispose the result to let the next job in.</summary>
    public IDisposable Enter(CancellationToken cancellation)
    {
        _semaphore.Wait(cancellation);
        return new Releaser(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
