using System.Threading.Channels;

namespace MusicGen.Assistant.Server.Work;

/// <summary>An in-process bounded queue: a full one refuses at once rather than making the caller wait.</summary>
public sealed class ChannelJobQueue(int capacity) : IJobQueue
{
    private readonly Channel<TurnJob> _channel = Channel.CreateBounded<TurnJob>(new BoundedChannelOptions(Math.Max(1, capacity))
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite then returns false when full
        SingleReader = false,
        SingleWriter = false,
    });

    public int Capacity { get; } = Math.Max(1, capacity);

    public int Depth => _channel.Reader.Count;

    public bool TryEnqueue(TurnJob job) => _channel.Writer.TryWrite(job);

    public ValueTask<TurnJob> DequeueAsync(CancellationToken cancellation) => _channel.Reader.ReadAsync(cancellation);
}
