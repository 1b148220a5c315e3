using MusicGen.Assistant.Formats.Conversion;

namespace MusicGen.Assistant.Models;

/// <summary>
/// The tensors of a random-weight plan (tests, benchmarks, the demo set): each is drawn lazily, when the converter
/// asks for it, from its own generator seeded by (plan seed, tensor index), so a plan is reproducible tensor by tensor
/// and across processes (HashCode.Combine would be salted per process).
/// </summary>
public sealed class RandomTensors(int seed)
{
    private readonly List<PlannedTensor> _tensors = [];

    public IReadOnlyList<PlannedTensor> Tensors => _tensors;

    /// <summary>Plans a tensor of shape <paramref name="ne"/> whose every value is <paramref name="draw"/>(generator).</summary>
    public void Add(string name, long[] ne, TensorRole role, Func<Random, double> draw)
    {
        var s = SeedOf(seed, _tensors.Count);
        _tensors.Add(new PlannedTensor(name, ne, role, () =>
        {
            var rng = new Random(s);
            var values = new float[ne.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < values.Length; i++) values[i] = (float)draw(rng);
            return values;
        }, "random init"));
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static int SeedOf(int seed, int index) => unchecked((int)((uint)seed * 2654435761u ^ (uint)(index + 1) * 40503u));
}
