using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// A HuBERT-architecture encoder of any config with deterministic random weights in our GGUF layout, for tests of
/// settings the reference fixture lacks (group norm, post-norm layers, other sizes) and for benchmarks at MERT's size.
/// Scales follow the fixtures' init: matrices and conv kernels N(0,1)/sqrt(fan_in), norm weights 1 + 0.1·N, biases and
/// norm biases 0.1·N. Its output is meaningless: it is labelled untrained.
/// </summary>
public sealed class HubertRandomPlan : IConversionPlan
{
    private readonly HubertConfig _config;
    private readonly HubertPreprocessing _preprocessing;

    public HubertRandomPlan(HubertConfig config, int seed, HubertPreprocessing? preprocessing = null)
    {
        _config = config.Validate();
        _preprocessing = (preprocessing ?? new HubertPreprocessing { SamplingRate = 24000, ReturnAttentionMask = true }).Validate();
        var random = new RandomTensors(seed);
        void Matrix(string name, long inputs, long outputs) =>
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => Normal(r) / Math.Sqrt(inputs));
        void Bias(string name, long width) => random.Add(name, [width], TensorRole.Exact, r => 0.1 * Normal(r));
        void Norm(string weight, string bias, long width)
        {
            random.Add(weight, [width], TensorRole.Exact, r => 1 + 0.1 * Normal(r));
            Bias(bias, width);
        }

        long h = config.HiddenSize, ff = config.IntermediateSize;
        for (var i = 0; i < config.ConvLayers; i++)
        {
            long cin = i == 0 ? 1 : config.ConvDim[i - 1], cout = config.ConvDim[i];
            Matrix(HubertKeys.ConvWeight(i), config.ConvKernel[i] * cin, cout);
            if (config.ConvBias) Bias(HubertKeys.ConvBiasTensor(i), cout);
            if (config.UsesLayerNormConvs || i == 0) Norm(HubertKeys.ConvNormWeight(i), HubertKeys.ConvNormBias(i), cout);
        }
        if (config.FeatProjLayerNorm) Norm(HubertKeys.FeatureProjectionNormWeight, HubertKeys.FeatureProjectionNormBias, config.ConvChannels);
        Matrix(HubertKeys.FeatureProjectionWeight, config.ConvChannels, h);
        Bias(HubertKeys.FeatureProjectionBias, h);
        Matrix(HubertKeys.PositionalConvWeight, (long)config.NumConvPosEmbeddings * (h / config.NumConvPosEmbeddingGroups), h);
        Bias(HubertKeys.PositionalConvBias, h);
        Norm(HubertKeys.EncoderNormWeight, HubertKeys.EncoderNormBias, h);
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            void Linear(Func<int, string, string> key, long inputs, long outputs)
            {
                Matrix(key(i, "weight"), inputs, outputs);
                Bias(key(i, "bias"), outputs);
            }
            Norm(HubertKeys.AttentionNorm(i, "weight"), HubertKeys.AttentionNorm(i, "bias"), h);
            Linear(HubertKeys.Query, h, h);
            Linear(HubertKeys.Key, h, h);
            Linear(HubertKeys.Value, h, h);
            Linear(HubertKeys.Output, h, h);
            Norm(HubertKeys.FeedForwardNorm(i, "weight"), HubertKeys.FeedForwardNorm(i, "bias"), h);
            Linear(HubertKeys.Up, h, ff);
            Linear(HubertKeys.Down, ff, h);
        }
        Tensors = random.Tensors;
    }

    public string Architecture => HubertKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        HubertMetadata.Write(writer, _config, _preprocessing);
        writer.SetMetadata("general.name", "untrained random-weight HuBERT encoder (benchmark/test)");
    }

    private static double Normal(Random r) => RandomTensors.Normal(r);
}
