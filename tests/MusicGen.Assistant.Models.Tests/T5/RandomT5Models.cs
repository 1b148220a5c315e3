using System.Collections.Concurrent;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>Random-weight T5 GGUF files for tests, written once per run by <see cref="T5RandomPlan"/>.</summary>
internal static class RandomT5Models
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-t5-").FullName;

    // small, with heads·d_kv ≠ d_model and a bucket layout whose log-spaced and capped buckets short inputs reach
    public static T5Config Small(string feedForward) => new()
    {
        VocabSize = 50, DModel = 16, DKv = 8, NumHeads = 3, DFf = 40, NumLayers = 2,
        RelativeAttentionNumBuckets = 8, RelativeAttentionMaxDistance = 12, FeedForwardProj = feedForward, LayerNormEpsilon = 1e-6,
    };

    /// <summary>Sizes that are whole q8_0 blocks, so every matrix can be quantized.</summary>
    public static T5Config Blocky { get; } = new()
    {
        VocabSize = 40, DModel = 64, DKv = 16, NumHeads = 4, DFf = 128, NumLayers = 2,
        RelativeAttentionNumBuckets = 32, RelativeAttentionMaxDistance = 128,
    };

    public static string Gguf(string name, T5Config config, int? projectionWidth = null, StorageType storage = StorageType.F32) =>
        Cache.GetOrAdd($"{name}-{StorageTypes.Name(storage)}", key => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, key + ".gguf");
            GgufConverter.Write(new T5RandomPlan(config, seed: 11, projectionWidth), path, storage, "test");
            return path;
        })).Value;

    /// <summary>A plan's tensors with other metadata, or with some tensors left out: files that must be refused.</summary>
    public sealed class Altered(IConversionPlan inner, T5Config metadata, params string[] without) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors { get; } = inner.Tensors.Where(t => !without.Contains(t.Name)).ToList();
        public void WriteMetadata(GgufWriter writer) => T5Metadata.Write(writer, metadata);
    }

    public static string AlteredGguf(string name, IConversionPlan plan)
    {
        var path = Path.Combine(Root, name + ".gguf");
        GgufConverter.Write(plan, path, StorageType.F32, "test");
        return path;
    }

    /// <summary>Deterministic ids in [0, vocab) with each row's real length, padded after it.</summary>
    public static (int[,] Ids, int[,] Mask) Batch(int vocab, int length, params int[] realLengths)
    {
        var ids = new int[realLengths.Length, length];
        var mask = new int[realLengths.Length, length];
        var rng = new Random(3);
        for (var b = 0; b < realLengths.Length; b++)
            for (var t = 0; t < length; t++)
            {
                var real = t < realLengths[b];
                ids[b, t] = real ? rng.Next(1, vocab) : 0;
                mask[b, t] = real ? 1 : 0;
            }
        return (ids, mask);
    }
}
