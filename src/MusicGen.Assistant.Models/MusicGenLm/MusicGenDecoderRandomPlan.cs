using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.MusicGenLm.MusicGenDecoderKeys;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// A MusicGen decoder with deterministic random weights in our GGUF layout, for benchmarks at real sizes and the demo
/// model set (no weights can be downloaded). Scales follow the reference fixtures' init: projections
/// N(0,1)/sqrt(fan_in), norm weights 1 + 0.1·N, norm biases 0.1·N, embeddings N(0,1). Untrained: noise, not music.
/// </summary>
public sealed class MusicGenDecoderRandomPlan : IConversionPlan
{
    private readonly MusicGenDecoderConfig _config;

    public MusicGenDecoderRandomPlan(MusicGenDecoderConfig config, int seed)
    {
        _config = config.Validate();
        long d = config.HiddenSize, f = config.FfnDim;
        var random = new RandomTensors(seed);
        void Linear(string name, long inputs, long outputs)
        {
            var scale = 1 / Math.Sqrt(inputs);
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => (float)(Normal(r) * scale));
        }
        void Norm(string prefix)
        {
            random.Add(K.Weight(prefix), [d], TensorRole.Exact, r => (float)(1 + 0.1 * Normal(r)));
            random.Add(K.Bias(prefix), [d], TensorRole.Exact, r => (float)(0.1 * Normal(r)));
        }

        for (var k = 0; k < config.NumCodebooks; k++)
            random.Add(K.TokenEmbedding(k), [d, config.EmbeddingRows], TensorRole.Exact, r => (float)Normal(r));
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            Norm(K.InBlock(i, K.SelfAttentionNorm));
            foreach (var p in new[] { "q", "k", "v", "output" }) Linear(K.Projection(i, K.SelfAttention, p), d, d);
            if (config.CrossAttention)
            {
                Norm(K.InBlock(i, K.CrossAttentionNorm));
                foreach (var p in new[] { "q", "k", "v", "output" }) Linear(K.Projection(i, K.CrossAttention, p), d, d);
            }
            Norm(K.InBlock(i, K.FeedForwardNorm));
            Linear(K.Weight(K.InBlock(i, K.FeedForwardUp)), d, f);
            Linear(K.Weight(K.InBlock(i, K.FeedForwardDown)), f, d);
        }
        Norm(K.OutputNorm);
        for (var k = 0; k < config.NumCodebooks; k++) Linear(K.LmHead(k), d, config.VocabSize);
        if (config.IsMelody)
        {
            var scale = 1 / Math.Sqrt(config.NumChroma);
            random.Add(K.Weight(K.ChromaProjection), [config.NumChroma, d], TensorRole.Exact, r => (float)(Normal(r) * scale));
            random.Add(K.Bias(K.ChromaProjection), [d], TensorRole.Exact, r => (float)(0.1 * Normal(r)));
        }
        Tensors = random.Tensors;
    }

    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        MusicGenDecoderMetadata.Write(writer, _config);
        writer.SetMetadata("general.name", "untrained random-weight MusicGen decoder (demo/benchmark)");
    }

    private static double Normal(Random r) => RandomTensors.Normal(r);
}
