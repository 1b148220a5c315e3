using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Progress;
using MusicGen.Assistant.Server.Engine;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>
/// The real engine with a hold point for tests that need a turn to stay busy (a full queue, cancellation mid-work):
/// with <see cref="Hold"/> set, a turn stops at its first progress report inside the real generation until
/// <see cref="Release"/> (or until cancelled, which then throws from inside the generation as a real cancel would).
/// <see cref="FailNext"/> makes the next turn fail as a bug would.
/// </summary>
public sealed class GatedEngine(IAssistantEngine inner) : IAssistantEngine
{
    private readonly ManualResetEventSlim _open = new(true);

    public SemaphoreSlim Held { get; } = new(0);
    public volatile bool FailNext;

    public EngineInfo Info => inner.Info;
    public void Load(CancellationToken cancellation) => inner.Load(cancellation);

    public void Hold() => _open.Reset();
    public void Release() => _open.Set();

    public EngineReply Respond(EngineTurn turn, ITurnEventSink events, CancellationToken cancellation)
    {
        if (FailNext)
        {
            FailNext = false;
            throw new InvalidOperationException("simulated engine fault");
        }
        return inner.Respond(turn, new HoldingSink(events, this, cancellation), cancellation);
    }

    private sealed class HoldingSink(ITurnEventSink events, GatedEngine gate, CancellationToken cancellation) : ITurnEventSink
    {
        private bool _held;

        public void Progress(JobProgress progress)
        {
            if (!_held && !gate._open.IsSet)
            {
                _held = true;
                gate.Held.Release();
                gate._open.Wait(cancellation);
            }
            events.Progress(progress);
        }

        public void Text(string delta) => events.Text(delta);
        public void Notice(string text) => events.Notice(text);
        public void Audio(AudioChunk chunk) => events.Audio(chunk);
    }
}
