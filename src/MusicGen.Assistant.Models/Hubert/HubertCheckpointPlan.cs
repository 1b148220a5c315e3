using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// Maps a Hugging Face HubertModel / MERTModel state dict to our GGUF tensors (<see cref="HubertKeys"/>). Linear
/// weights [out, in] are {in, out} in ggml order as they are; conv weights [out, in, k] become {k·in, out} the same
/// way. The positional conv's weight norm (transformers applies it over dim 2: one gain per kernel tap) is folded here,
/// from either spelling (<c>weight_g/weight_v</c> or <c>parametrizations.weight.original0/1</c>), or a plain
/// <c>weight</c> is taken as it is. <c>masked_spec_embed</c> (training only) is not converted.
/// </summary>
public sealed class HubertCheckpointPlan : IConversionPlan
{
    private readonly HubertConfig _config;
    private readonly HubertPreprocessing _preprocessing;

    /// <param name="hfPrefix">Prefix of the encoder's keys: empty for a standalone checkpoint, e.g. <c>mert_model.</c>
    /// inside an M2UGen checkpoint.</param>
    public HubertCheckpointPlan(CheckpointReader reader, HubertConfig config, HubertPreprocessing preprocessing, string hfPrefix = "")
    {
        _config = config.Validate();
        _preprocessing = preprocessing.Validate();
        var tensors = new List<PlannedTensor>();
        void Add(string gguf, TensorRole role, long[] ne, Func<float[]> produce, string source) =>
            tensors.Add(new PlannedTensor(gguf, ne, role, produce, source));
        void Plain(string gguf, string hf, TensorRole role, params long[] torchShape)
        {
            var ne = torchShape.Length == 3 ? [torchShape[2] * torchShape[1], torchShape[0]] : torchShape.Reverse().ToArray();
            Add(gguf, role, ne, () => reader.Read(hfPrefix + hf, torchShape), hfPrefix + hf);
        }
        void Norm(string weight, string bias, string hfModule, long width)
        {
            Plain(weight, $"{hfModule}.weight", TensorRole.Exact, width);
            Plain(bias, $"{hfModule}.bias", TensorRole.Exact, width);
        }

        long h = config.HiddenSize, ff = config.IntermediateSize;
        for (var i = 0; i < config.ConvLayers; i++)
        {
            long cin = i == 0 ? 1 : config.ConvDim[i - 1], cout = config.ConvDim[i];
            var module = $"feature_extractor.conv_layers.{i}";
            Plain(HubertKeys.ConvWeight(i), $"{module}.conv.weight", TensorRole.Matrix, cout, cin, config.ConvKernel[i]);
            if (config.ConvBias) Plain(HubertKeys.ConvBiasTensor(i), $"{module}.conv.bias", TensorRole.Exact, cout);
            if (config.UsesLayerNormConvs || i == 0)
                Norm(HubertKeys.ConvNormWeight(i), HubertKeys.ConvNormBias(i), $"{module}.layer_norm", cout);
        }
        if (config.FeatProjLayerNorm)
            Norm(HubertKeys.FeatureProjectionNormWeight, HubertKeys.FeatureProjectionNormBias, "feature_projection.layer_norm", config.ConvChannels);
        Plain(HubertKeys.FeatureProjectionWeight, "feature_projection.projection.weight", TensorRole.Matrix, h, config.ConvChannels);
        Plain(HubertKeys.FeatureProjectionBias, "feature_projection.projection.bias", TensorRole.Exact, h);

        var posConv = $"{hfPrefix}encoder.pos_conv_embed.conv";
        long groupWidth = h / config.NumConvPosEmbeddingGroups, taps = config.NumConvPosEmbeddings;
        Add(HubertKeys.PositionalConvWeight, TensorRole.Matrix, [taps * groupWidth, h],
            () => PositionalConvWeight(reader, posConv, [h, groupWidth, taps]), $"{posConv}.weight");
        Plain(HubertKeys.PositionalConvBias, "encoder.pos_conv_embed.conv.bias", TensorRole.Exact, h);
        Norm(HubertKeys.EncoderNormWeight, HubertKeys.EncoderNormBias, "encoder.layer_norm", h);

        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var layer = $"encoder.layers.{i}";
            void Linear(Func<int, string, string> key, string module, long inputs, long outputs)
            {
                Plain(key(i, "weight"), $"{layer}.{module}.weight", TensorRole.Matrix, outputs, inputs);
                Plain(key(i, "bias"), $"{layer}.{module}.bias", TensorRole.Exact, outputs);
            }
            Norm(HubertKeys.AttentionNorm(i, "weight"), HubertKeys.AttentionNorm(i, "bias"), $"{layer}.layer_norm", h);
            Linear(HubertKeys.Query, "attention.q_proj", h, h);
            Linear(HubertKeys.Key, "attention.k_proj", h, h);
            Linear(HubertKeys.Value, "attention.v_proj", h, h);
            Linear(HubertKeys.Output, "attention.out_proj", h, h);
            Norm(HubertKeys.FeedForwardNorm(i, "weight"), HubertKeys.FeedForwardNorm(i, "bias"), $"{layer}.final_layer_norm", h);
            Linear(HubertKeys.Up, "feed_forward.intermediate_dense", h, ff);
            Linear(HubertKeys.Down, "feed_forward.output_dense", ff, h);
        }
        Tensors = tensors;
    }

    /// <summary>
    /// A checkpoint directory's encoder: config.json (HubertConfig or MERTConfig) and preprocessor_config.json
    /// (Wav2Vec2FeatureExtractor), both required.
    /// </summary>
    public static HubertCheckpointPlan FromDirectory(string directory, CheckpointReader reader)
    {
        var configPath = Path.Combine(directory, "config.json");
        var preprocessorPath = Path.Combine(directory, "preprocessor_config.json");
        if (!File.Exists(configPath)) throw new ModelConfigException($"{directory}: no config.json (expected a Hugging Face HuBERT / MERT checkpoint directory)");
        if (!File.Exists(preprocessorPath))
            throw new ModelConfigException($"{directory}: no preprocessor_config.json (the encoder's sampling rate and input normalization come from it)");
        return new HubertCheckpointPlan(reader,
            HubertConfig.FromHuggingFaceJson(HfConfigJson.ReadFile(configPath), configPath),
            HubertPreprocessing.FromHuggingFaceJson(HfConfigJson.ReadFile(preprocessorPath, "preprocessor_config.json"), preprocessorPath));
    }

    public string Architecture => HubertKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => HubertMetadata.Write(writer, _config, _preprocessing);

    /// <summary>The positional conv's weight [out, in/groups, taps], weight norm folded when the checkpoint has one.</summary>
    private static float[] PositionalConvWeight(CheckpointReader reader, string module, long[] shape)
    {
        long[] gainShape = [1, 1, shape[2]];
        if (reader.Contains($"{module}.weight_g"))
            return HubertWeightNorm.FoldOverTaps(reader.Read($"{module}.weight_g", gainShape), reader.Read($"{module}.weight_v", shape), shape);
        if (reader.Contains($"{module}.parametrizations.weight.original0"))
            return HubertWeightNorm.FoldOverTaps(reader.Read($"{module}.parametrizations.weight.original0", gainShape),
                reader.Read($"{module}.parametrizations.weight.original1", shape), shape);
        if (reader.Contains($"{module}.weight")) return reader.Read($"{module}.weight", shape);
        throw new ModelWeightsException($"{reader.Source}: missing weight of '{module}' (looked for weight_g/weight_v, parametrizations.weight.original0/1 and weight)");
    }
}
