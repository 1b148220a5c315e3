using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>
/// Which items every optimizer step sees: each epoch is a seeded shuffle of the items (stream "epoch/e" of the seed),
/// cut into steps of <see cref="Accumulation"/> micro-batches of <see cref="BatchSize"/> items; a last partial step is
/// dropped. A pure function of (seed, step), so a resumed run sees exactly the batches an uninterrupted one would.
/// </summary>
public sealed class BatchPlan<TItem>
{
    private readonly IReadOnlyList<TItem> _items;
    private readonly Dictionary<long, int[]> _orders = [];

    public BatchPlan(IReadOnlyList<TItem> items, int batchSize, int accumulation, ulong seed)
    {
        if (batchSize < 1 || accumulation < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size and accumulation must be at least 1");
        if (items.Count < batchSize * accumulation)
            throw new ArgumentException($"{items.Count} training items are fewer than one step's {batchSize} x {accumulation}");
        _items = items;
        BatchSize = batchSize;
        Accumulation = accumulation;
        Seed = seed;
    }

    public int BatchSize { get; }
    public int Accumulation { get; }
    public ulong Seed { get; }
    public int ItemCount => _items.Count;
    public long StepsPerEpoch => _items.Count / (BatchSize * Accumulation);

    public IReadOnlyList<IReadOnlyList<TItem>> MicroBatches(long step)
    {
        var epoch = step / StepsPerEpoch;
        var first = (int)(step % StepsPerEpoch) * BatchSize * Accumulation;
        var order = Order(epoch);
        return Enumerable.Range(0, Accumulation)
            .Select(m => (IReadOnlyList<TItem>)Enumerable.Range(0, BatchSize).Select(b => _items[order[first + m * BatchSize + b]]).ToArray())
            .ToArray();
    }

    private int[] Order(long epoch)
    {
        if (_orders.TryGetValue(epoch, out var cached)) return cached;
        var order = Enumerable.Range(0, _items.Count).ToArray();
        var r = SeededRandom.For(Seed, $"epoch/{epoch}");
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = r.Next(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        if (_orders.Count > 4) _orders.Clear();
        return _orders[epoch] = order;
    }

    /// <summary>Held-out items in fixed batches (no shuffle, the last batch may be smaller).</summary>
    public static IReadOnlyList<IReadOnlyList<TItem>> Fixed(IReadOnlyList<TItem> items, int batchSize) =>
        items.Chunk(Math.Max(1, batchSize)).Select(c => (IReadOnlyList<TItem>)c).ToArray();
}
