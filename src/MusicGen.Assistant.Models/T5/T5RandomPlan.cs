using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// A T5 encoder (and optionally MusicGen's text projection) with deterministic random weights in our GGUF layout, for
/// the demo model set, benchmarks and tests of settings the reference fixtures lack (gated feed-forward, other sizes).
/// Scales follow the fixtures' init: matrices N(0,1)/sqrt(fan_in), norms 1 + 0.1·N, embeddings N(0,1), relative bias
/// 0.5·N, biases 0.1·N. Its output is meaningless: it is labelled untrained.
/// </summary>
public sealed class T5RandomPlan : IConversionPlan
{
    private readonly T5Config _config;

    public T5RandomPlan(T5Config config, int seed, int? projectionWidth = null)
    {
        _config = config.Validate();
        var random = new RandomTensors(seed);
        void Matrix(string name, long inputs, long outputs) =>
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => Normal(r) / Math.Sqrt(inputs));
        void Norm(string name) => random.Add(name, [config.DModel], TensorRole.Exact, r => 1 + 0.1 * Normal(r));

        long d = config.DModel, inner = config.InnerDim, ff = config.DFf;
        random.Add(T5Keys.TokenEmbedding, [d, config.VocabSize], TensorRole.Matrix, Normal);
        random.Add(T5Keys.RelativeAttentionBias, [config.NumHeads, config.RelativeAttentionNumBuckets], TensorRole.Exact, r => 0.5 * Normal(r));
        for (var i = 0; i < config.NumLayers; i++)
        {
            Norm(T5Keys.AttentionNorm(i));
            Matrix(T5Keys.Query(i), d, inner);
            Matrix(T5Keys.Key(i), d, inner);
            Matrix(T5Keys.Value(i), d, inner);
            Matrix(T5Keys.Output(i), inner, d);
            Norm(T5Keys.FeedForwardNorm(i));
            if (config.IsGated) Matrix(T5Keys.Gate(i), d, ff);
            Matrix(T5Keys.Up(i), d, ff);
            Matrix(T5Keys.Down(i), ff, d);
        }
        Norm(T5Keys.FinalNorm);
        if (projectionWidth is { } width)
        {
            Matrix(T5Keys.ProjectionWeight, d, width);
            random.Add(T5Keys.ProjectionBias, [width], TensorRole.Exact, r => 0.1 * Normal(r));
        }
        Tensors = random.Tensors;
    }

    public string Architecture => T5Keys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        T5Metadata.Write(writer, _config);
        writer.SetMetadata("general.name", "untrained random-weight T5 encoder (demo/benchmark/test)");
    }

    private static double Normal(Random r) => RandomTensors.Normal(r);
}
