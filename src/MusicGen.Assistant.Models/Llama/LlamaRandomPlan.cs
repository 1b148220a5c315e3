using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// A LLaMA with deterministic random weights under llama.cpp's names, for tests of shapes the fixtures lack (k-quant
/// rows of 256), benchmarks at real sizes (a 7B-shaped model) and the demo set. Scales follow the reference fixtures'
/// init: projections N(0,1)/√fan_in, norm weights 1 + 0.1·N, embeddings N(0,1). Untrained: its text is noise.
/// </summary>
public sealed class LlamaRandomPlan : IConversionPlan
{
    public LlamaRandomPlan(LlamaConfig config, int seed, bool tiedOutput = false)
    {
        Config = config.Validate();
        long d = config.EmbeddingLength, f = config.FeedForwardLength, qw = config.QueryWidth, kvw = config.KeyValueWidth, v = config.VocabSize;
        var random = new RandomTensors(seed);
        void Linear(string name, long inputs, long outputs)
        {
            var scale = 1 / Math.Sqrt(inputs);
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => (float)(RandomTensors.Normal(r) * scale));
        }
        void Norm(string name) => random.Add(name, [d], TensorRole.Exact, r => (float)(1 + 0.1 * RandomTensors.Normal(r)));

        random.Add(K.TokenEmbedding, [d, v], TensorRole.Matrix, r => (float)RandomTensors.Normal(r));
        for (var i = 0; i < config.BlockCount; i++)
        {
            Norm(K.Weight(i, K.AttentionNorm));
            Linear(K.Weight(i, K.Query), d, qw);
            Linear(K.Weight(i, K.Key), d, kvw);
            Linear(K.Weight(i, K.Value), d, kvw);
            Linear(K.Weight(i, K.AttentionOutput), qw, d);
            Norm(K.Weight(i, K.FeedForwardNorm));
            Linear(K.Weight(i, K.Gate), d, f);
            Linear(K.Weight(i, K.Up), d, f);
            Linear(K.Weight(i, K.Down), f, d);
        }
        Norm(K.OutputNorm);
        if (!tiedOutput) Linear(K.Output, d, v);
        Tensors = random.Tensors;
    }

    public LlamaConfig Config { get; }
    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        LlamaMetadata.Write(writer, Config);
        writer.SetMetadata("general.name", "untrained random-weight LLaMA (tests/benchmark)");
    }
}
