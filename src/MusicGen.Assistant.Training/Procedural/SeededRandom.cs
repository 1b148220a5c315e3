using System.Security.Cryptography;
using System.Text;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Training.Procedural;

/// <summary>
/// The generator's random numbers: xoshiro256** (fully specified, so a seed gives the same music on every machine and
/// .NET version) with the few draws the composer needs. <see cref="For"/> derives an independent stream per purpose
/// ("item 17", "split") from the dataset seed, so adding an item never changes another one.
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private readonly Xoshiro256StarStar _rng = new(seed);

    /// <summary>A stream for one named purpose under a seed: SHA-256 of "seed/purpose", first 8 bytes.</summary>
    public static SeededRandom For(ulong seed, string purpose) => new(Hash(seed, purpose));

    /// <summary>A stable 64-bit hash of a seed and a name (also the split hash).</summary>
    public static ulong Hash(ulong seed, string name)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{name}"));
        return BitConverter.ToUInt64(bytes, 0);
    }

    public double NextDouble() => _rng.NextDouble();

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * _rng.NextDouble();

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max)
    {
        if (max <= min) throw new ArgumentOutOfRangeException(nameof(max), $"empty range [{min}, {max})");
        return min + (int)(_rng.NextUInt64() % (ulong)(max - min));
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];

    public bool Chance(double p) => _rng.NextDouble() < p;

    /// <summary>Standard normal (Box-Muller).</summary>
    public double Gaussian()
    {
        var u = 1.0 - _rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * _rng.NextDouble());
    }

    public ulong NextUInt64() => _rng.NextUInt64();
}
