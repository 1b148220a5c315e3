using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// A ViT or ViViT encoder with deterministic random weights in our GGUF layout, for the demo model set, benchmarks and
/// tests of settings the reference fixtures lack (no qkv bias, other activations, non-square patches). Scales follow
/// the fixtures' init: matrices and the patch kernel N(0,1)/sqrt(fan_in), biases 0.1·N, norm weights 1 + 0.1·N, norm
/// biases 0.1·N, CLS and position embeddings 0.5·N. Its output is meaningless: it is labelled untrained.
/// </summary>
public sealed class VisionRandomPlan : IConversionPlan
{
    private readonly VisionTransformerConfig _config;

    public VisionRandomPlan(VisionTransformerConfig config, int seed, bool pooler = true)
    {
        _config = config.Validate();
        var k = VisionKeys.For(config.Family);
        var random = new RandomTensors(seed);
        void Linear(string module, long inputs, long outputs, bool bias = true)
        {
            random.Add(module + ".weight", [inputs, outputs], TensorRole.Matrix, r => Normal(r) / Math.Sqrt(inputs));
            if (bias) random.Add(module + ".bias", [outputs], TensorRole.Exact, r => 0.1 * Normal(r));
        }
        void Norm(string module)
        {
            random.Add(module + ".weight", [config.HiddenSize], TensorRole.Exact, r => 1 + 0.1 * Normal(r));
            random.Add(module + ".bias", [config.HiddenSize], TensorRole.Exact, r => 0.1 * Normal(r));
        }

        long d = config.HiddenSize, f = config.IntermediateSize;
        random.Add(k.PatchWeight, [config.PatchVectorLength, d], TensorRole.Matrix, r => Normal(r) / Math.Sqrt(config.PatchVectorLength));
        random.Add(k.PatchBias, [d], TensorRole.Exact, r => 0.1 * Normal(r));
        random.Add(k.ClassEmbedding, [d], TensorRole.Exact, r => 0.5 * Normal(r));
        random.Add(k.PositionEmbedding, [d, config.SequenceLength], TensorRole.Exact, r => 0.5 * Normal(r));
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            Norm(k.Block(i, VisionKeys.BeforeNorm));
            Linear(k.Block(i, VisionKeys.Query), d, d, config.QkvBias);
            Linear(k.Block(i, VisionKeys.Key), d, d, config.QkvBias);
            Linear(k.Block(i, VisionKeys.Value), d, d, config.QkvBias);
            Linear(k.Block(i, VisionKeys.AttentionOutput), d, d);
            Norm(k.Block(i, VisionKeys.AfterNorm));
            Linear(k.Block(i, VisionKeys.Up), d, f);
            Linear(k.Block(i, VisionKeys.Down), f, d);
        }
        random.Add(k.FinalNormWeight, [d], TensorRole.Exact, r => 1 + 0.1 * Normal(r));
        random.Add(k.FinalNormBias, [d], TensorRole.Exact, r => 0.1 * Normal(r));
        if (pooler)
        {
            random.Add(k.PoolerWeight, [d, d], TensorRole.Matrix, r => Normal(r) / Math.Sqrt(d));
            random.Add(k.PoolerBias, [d], TensorRole.Exact, r => 0.1 * Normal(r));
        }
        Tensors = random.Tensors;
        Architecture = k.Architecture;
    }

    public string Architecture { get; }
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        VisionMetadata.Write(writer, _config);
        writer.SetMetadata("general.name", $"untrained random-weight {_config.Name} encoder (demo/benchmark/test)");
    }

    private static double Normal(Random r) => RandomTensors.Normal(r);
}
