using System.Collections.Concurrent;
using System.Threading.Channels;

namespace MusicGen.Assistant.Server.Work;

/// <summary>
/// The live turns of this process: each keeps the events so far (a client that connects late gets them first), its
/// subscribers, and the cancellation of its work. A turn is forgotten a little while after its final event; later
/// readers get its stored state instead. Issue 13 replaces this with a stream per job.
/// </summary>
public sealed class TurnEventHub : ITurnEventHub
{
    private readonly ConcurrentDictionary<string, LiveTurn> _turns = new();

    /// <summary>How long a finished turn's events stay for late readers.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromSeconds(30);

    public ILiveTurn Open(string turnId) => _turns.GetOrAdd(turnId, id => new LiveTurn(id, this));

    public ILiveTurn? Find(string turnId) => _turns.TryGetValue(turnId, out var t) ? t : null;

    public int Count => _turns.Count;

    public void Forget(ILiveTurn turn)
    {
        if (turn is LiveTurn live) _turns.TryRemove(new KeyValuePair<string, LiveTurn>(live.Id, live));
    }

    private sealed class LiveTurn(string id, TurnEventHub hub) : ILiveTurn
    {
        private readonly Lock _gate = new();
        private readonly List<TurnEvent> _events = [];
        private readonly List<Channel<TurnEvent>> _subscribers = [];

        public string Id { get; } = id;
        public CancellationTokenSource Cancellation { get; } = new();
        public bool Finished { get; private set; }

        public void Publish(TurnEvent e)
        {
            lock (_gate)
            {
                if (Finished) return;
                _events.Add(e);
                foreach (var s in _subscribers) s.Writer.TryWrite(e);
                if (!e.IsFinal) return;
                Finished = true;
                foreach (var s in _subscribers) s.Writer.TryComplete();
                _subscribers.Clear();
            }
            _ = Task.Delay(hub.Retention).ContinueWith(_ => hub.Forget(this), TaskScheduler.Default);
        }

        public async IAsyncEnumerable<TurnEvent> Read([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
        {
            var channel = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true });
            lock (_gate)
            {
                foreach (var e in _events) channel.Writer.TryWrite(e);
                if (Finished) channel.Writer.TryComplete();
                else _subscribers.Add(channel);
            }
            try
            {
                await foreach (var e in channel.Reader.ReadAllAsync(cancellation)) yield return e;
            }
            finally
            {
                lock (_gate) _subscribers.Remove(channel);
            }
        }
    }
}
