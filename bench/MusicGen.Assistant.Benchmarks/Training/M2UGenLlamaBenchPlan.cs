using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Benchmarks.Training;

/// <summary>
/// M2UGen's LLaMA at a given size with deterministic random weights: <see cref="LlamaRandomPlan"/>'s base tensors
/// (stored as the converter is asked: q4_0 for the benchmark) plus the F32 terms stage 1 trains: LoRA pairs of the
/// given rank on all seven projections (l2 zero as M2UGen initialises it), the five biases per block, the adapter
/// gates of the injected layers (zero, as released) and the prefix rows (HEAD layout, 3 × query_layer rows).
/// </summary>
public sealed class M2UGenLlamaBenchPlan : IConversionPlan
{
    private static readonly string[] Biased = [K.Query, K.AttentionOutput, K.Gate, K.Up, K.Down];
    private readonly LlamaRandomPlan _base;

    public M2UGenLlamaBenchPlan(LlamaConfig config, int seed, int loraRank, int queryLayers)
    {
        _base = new LlamaRandomPlan(config, seed);
        var random = new RandomTensors(seed + 1);
        long d = config.EmbeddingLength, f = config.FeedForwardLength, qw = config.QueryWidth, kvw = config.KeyValueWidth;
        (long In, long Out) Shape(string part) => part switch
        {
            K.Gate or K.Up => (d, f),
            K.Down => (f, d),
            K.Query => (d, qw),
            K.Key or K.Value => (d, kvw),
            _ => (qw, d),
        };
        for (var i = 0; i < config.BlockCount; i++)
            foreach (var part in K.Projections)
            {
                var (inputs, outputs) = Shape(part);
                var scale = 1 / Math.Sqrt(inputs);
                random.Add(K.LoraA(i, part), [inputs, loraRank], TensorRole.Exact, r => RandomTensors.Normal(r) * scale);
                random.Add(K.LoraB(i, part), [loraRank, outputs], TensorRole.Exact, _ => 0);
                if (Biased.Contains(part)) random.Add(K.Bias(i, part), [outputs], TensorRole.Exact, _ => 0);
            }
        Injection = new AdapterInjection(AdapterLayout.Head, config.BlockCount, 3 * queryLayers).Validate();
        for (var layer = Injection.FirstLayer; layer < config.BlockCount; layer++)
            random.Add(K.M2UGen.AdapterGate(layer), [config.HeadCount], TensorRole.Exact, _ => 0);
        random.Add(K.M2UGen.PrefixQuery, [d, Injection.PrefixRows], TensorRole.Exact, r => RandomTensors.Normal(r));
        Tensors = [.. _base.Tensors, .. random.Tensors];
    }

    public AdapterInjection Injection { get; }
    public string Architecture => _base.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        _base.WriteMetadata(writer);
        writer.SetMetadata(K.M2UGen.AdapterLayout, AdapterInjection.Name(Injection.Layout));
        writer.SetMetadata(K.M2UGen.AudioTokenIds, GgufArray.Of(Enumerable.Range(_base.Config.VocabSize - 8, 8).Select(i => (uint)i).ToArray()));
        writer.SetMetadata(K.M2UGen.LoraFolded, false);
    }
}
