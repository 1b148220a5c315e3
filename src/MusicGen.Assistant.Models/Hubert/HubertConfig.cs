using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// Hyper-parameters of a HuBERT-architecture encoder (transformers' HubertConfig; MERT's MERTConfig is the same plus
/// extras). Read from a Hugging Face config.json or from GGUF metadata; graph code reads sizes and epsilons only from
/// here. Defaults are HubertConfig's. Unknown keys are ignored; settings that change the computation in ways this
/// implementation does not run (MERT's CQT features, deepnorm, a batch-normed positional conv) are refused.
/// </summary>
public sealed record HubertConfig
{
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public string HiddenAct { get; init; } = "gelu";
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>"group": GroupNorm (one group per channel) after the first conv only; "layer": LayerNorm after every conv.</summary>
    public string FeatExtractNorm { get; init; } = "group";
    public string FeatExtractActivation { get; init; } = "gelu";
    public int[] ConvDim { get; init; } = [512, 512, 512, 512, 512, 512, 512];
    public int[] ConvStride { get; init; } = [5, 2, 2, 2, 2, 2, 2];
    public int[] ConvKernel { get; init; } = [10, 3, 3, 3, 3, 2, 2];
    public bool ConvBias { get; init; }
    public int NumConvPosEmbeddings { get; init; } = 128;
    public int NumConvPosEmbeddingGroups { get; init; } = 16;

    /// <summary>Pre-norm transformer layers and a final LayerNorm (true) or post-norm layers after an input LayerNorm.</summary>
    public bool DoStableLayerNorm { get; init; }

    /// <summary>Whether the feature projection normalizes the conv features before its Linear.</summary>
    public bool FeatProjLayerNorm { get; init; } = true;

    /// <summary>eps of the conv layers' LayerNorm / GroupNorm: transformers builds them with PyTorch's default.</summary>
    public const double ConvNormEps = 1e-5;

    /// <summary>
    /// The shape of m-a-p/MERT-v1-330M (HuBERT-large layout: 24 layers of 1024, 16 heads, a 512-channel conv stack with
    /// layer norm, stable layer norm) for random-weight benchmarks and memory tests. A real checkpoint is always run
    /// with its own config.json, never this.
    /// </summary>
    public static HubertConfig MertLargeShape { get; } = new()
    {
        HiddenSize = 1024, NumHiddenLayers = 24, NumAttentionHeads = 16, IntermediateSize = 4096,
        FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true,
    };

    public int ConvLayers => ConvDim.Length;
    public int ConvChannels => ConvDim[^1];
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Hidden states the encoder returns: the embedding output plus one per layer.</summary>
    public int HiddenStateCount => NumHiddenLayers + 1;

    /// <summary>Input samples per output frame (the product of the conv strides: 320 for MERT, 75 frames/s at 24 kHz).</summary>
    public int FrameStride => ConvStride.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>Input samples one output frame sees (400 for MERT).</summary>
    public int ReceptiveField
    {
        get
        {
            var r = 1;
            for (var i = ConvLayers - 1; i >= 0; i--) r = checked((r - 1) * ConvStride[i] + ConvKernel[i]);
            return r;
        }
    }

    /// <summary>
    /// Output frames for <paramref name="samples"/> input samples: transformers' _get_feat_extract_output_lengths,
    /// floor((L - kernel) / stride) + 1 per conv layer; 0 when the input is shorter than the receptive field.
    /// </summary>
    public long FrameCount(long samples)
    {
        var length = samples;
        for (var i = 0; i < ConvLayers; i++)
        {
            if (length < ConvKernel[i]) return 0;
            length = (length - ConvKernel[i]) / ConvStride[i] + 1;
        }
        return length;
    }

    public HubertActivation FeatureActivation => HubertActivations.Parse(FeatExtractActivation, "feat_extract_activation");
    public HubertActivation HiddenActivation => HubertActivations.Parse(HiddenAct, "hidden_act");
    public bool UsesLayerNormConvs => FeatExtractNorm == "layer";

    /// <summary>
    /// The largest sizes accepted (MERT-v1-330M: hidden 1024, 24 layers of 16 heads, intermediate 4096, 7 convs of
    /// 512 channels, a 128-tap positional conv in 16 groups).
    /// </summary>
    public static class Limits
    {
        public const int HiddenSize = 16384, Layers = 256, Heads = 256, IntermediateSize = 1 << 16;
        public const int ConvLayers = 16, ConvDim = 8192, ConvStride = 1024, ConvKernel = 1024, FrameStride = 1 << 20, PosEmbeddings = 4096;
    }

    /// <summary>Throws naming the first setting that is missing, inconsistent, not supported or out of <see cref="Limits"/>.</summary>
    public HubertConfig Validate()
    {
        void Fail(string what) => throw new ModelConfigException($"HuBERT config: {what}");
        void Range(string key, long value, long min, long max) => ConfigLimits.Range("HuBERT config", key, value, min, max);
        Range("hidden_size", HiddenSize, 1, Limits.HiddenSize);
        Range("num_hidden_layers", NumHiddenLayers, 1, Limits.Layers);
        Range("num_attention_heads", NumAttentionHeads, 1, Limits.Heads);
        if (HiddenSize % NumAttentionHeads != 0)
            Fail($"num_attention_heads {NumAttentionHeads} must divide hidden_size {HiddenSize}");
        Range("intermediate_size", IntermediateSize, 1, Limits.IntermediateSize);
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps)) Fail($"layer_norm_eps {LayerNormEps} must be positive");
        if (FeatExtractNorm is not ("group" or "layer")) Fail($"feat_extract_norm '{FeatExtractNorm}' must be 'group' or 'layer'");
        if (ConvDim is null || ConvDim.Length == 0) Fail("conv_dim is empty");
        Range("the number of conv layers (conv_dim)", ConvDim!.Length, 1, Limits.ConvLayers);
        if (ConvStride.Length != ConvDim.Length || ConvKernel.Length != ConvDim.Length)
            Fail($"conv_dim ({ConvDim.Length}), conv_stride ({ConvStride.Length}) and conv_kernel ({ConvKernel.Length}) must have the same length");
        for (var i = 0; i < ConvDim.Length; i++)
            if (ConvDim[i] < 1 || ConvStride[i] < 1 || ConvKernel[i] < 1)
                Fail($"conv layer {i}: conv_dim {ConvDim[i]}, conv_stride {ConvStride[i]} and conv_kernel {ConvKernel[i]} must be positive");
        for (var i = 0; i < ConvDim.Length; i++)
        {
            Range($"conv_dim[{i}]", ConvDim[i], 1, Limits.ConvDim);
            Range($"conv_stride[{i}]", ConvStride[i], 1, Limits.ConvStride);
            Range($"conv_kernel[{i}]", ConvKernel[i], 1, Limits.ConvKernel);
        }
        ConfigLimits.Product("HuBERT config", "the frame stride (product of conv_stride)", Limits.FrameStride, ConvStride.Select(s => (long)s).ToArray());
        Range("num_conv_pos_embeddings", NumConvPosEmbeddings, 1, Limits.PosEmbeddings);
        if (NumConvPosEmbeddingGroups < 1 || HiddenSize % NumConvPosEmbeddingGroups != 0)
            Fail($"num_conv_pos_embedding_groups {NumConvPosEmbeddingGroups} must divide hidden_size {HiddenSize}");
        _ = FeatureActivation;
        _ = HiddenActivation;
        return this;
    }

    /// <summary>
    /// Reads a transformers HubertConfig or MERTConfig config.json. Extra MERT keys are accepted when they leave the
    /// computation unchanged: <c>attention_relax</c> only shifts scores by their row maximum before the softmax (and only
    /// in deepnorm layers), <c>sample_rate</c> is informative.
    /// </summary>
    public static HubertConfig FromHuggingFaceJson(string json, string source)
    {
        var o = ParseObject(json, source);
        var modelType = String(o, "model_type", source);
        if (modelType is not ("hubert" or "mert_model"))
            throw new ModelConfigException($"{source}: model_type '{modelType}' is not a HuBERT-architecture encoder (expected 'hubert' or 'mert_model')");
        void Refuse(string key, string why)
        {
            if (Bool(o, key, false, source)) throw new ModelConfigException($"{source}: '{key}' is true: {why} is not supported");
        }
        Refuse("feature_extractor_cqt", "MERT's CQT features concatenated to the conv features");
        Refuse("deepnorm", "deepnorm (scaled residual connections)");
        Refuse("conv_pos_batch_norm", "a batch-normed positional convolution");
        Refuse("add_adapter", "an adapter after the encoder");
        var d = new HubertConfig();
        var layers = Int(o, "num_feat_extract_layers", -1, source);
        try
        {
            var config = new HubertConfig
            {
                HiddenSize = Int(o, "hidden_size", d.HiddenSize, source),
                NumHiddenLayers = Int(o, "num_hidden_layers", d.NumHiddenLayers, source),
                NumAttentionHeads = Int(o, "num_attention_heads", d.NumAttentionHeads, source),
                IntermediateSize = Int(o, "intermediate_size", d.IntermediateSize, source),
                HiddenAct = String(o, "hidden_act", source) ?? d.HiddenAct,
                LayerNormEps = Double(o, "layer_norm_eps", d.LayerNormEps, source),
                FeatExtractNorm = String(o, "feat_extract_norm", source) ?? d.FeatExtractNorm,
                FeatExtractActivation = String(o, "feat_extract_activation", source) ?? d.FeatExtractActivation,
                ConvDim = Ints(o, "conv_dim", d.ConvDim, source),
                ConvStride = Ints(o, "conv_stride", d.ConvStride, source),
                ConvKernel = Ints(o, "conv_kernel", d.ConvKernel, source),
                ConvBias = Bool(o, "conv_bias", d.ConvBias, source),
                NumConvPosEmbeddings = Int(o, "num_conv_pos_embeddings", d.NumConvPosEmbeddings, source),
                NumConvPosEmbeddingGroups = Int(o, "num_conv_pos_embedding_groups", d.NumConvPosEmbeddingGroups, source),
                DoStableLayerNorm = Bool(o, "do_stable_layer_norm", d.DoStableLayerNorm, source),
                FeatProjLayerNorm = Bool(o, "feat_proj_layer_norm", d.FeatProjLayerNorm, source),
            }.Validate();
            if (layers >= 0 && layers != config.ConvLayers)
                throw new ModelConfigException($"num_feat_extract_layers {layers} differs from the {config.ConvLayers} entries of conv_dim");
            return config;
        }
        catch (ModelConfigException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new ModelConfigException($"{source}: {e.Message}");
        }
    }

    /// <summary>Field-by-field equality (the list settings compared by value, not by reference).</summary>
    public bool Equals(HubertConfig? other) =>
        other is not null && HiddenSize == other.HiddenSize && NumHiddenLayers == other.NumHiddenLayers
        && NumAttentionHeads == other.NumAttentionHeads && IntermediateSize == other.IntermediateSize && HiddenAct == other.HiddenAct
        && LayerNormEps.Equals(other.LayerNormEps) && FeatExtractNorm == other.FeatExtractNorm
        && FeatExtractActivation == other.FeatExtractActivation && ConvDim.SequenceEqual(other.ConvDim)
        && ConvStride.SequenceEqual(other.ConvStride) && ConvKernel.SequenceEqual(other.ConvKernel) && ConvBias == other.ConvBias
        && NumConvPosEmbeddings == other.NumConvPosEmbeddings && NumConvPosEmbeddingGroups == other.NumConvPosEmbeddingGroups
        && DoStableLayerNorm == other.DoStableLayerNorm && FeatProjLayerNorm == other.FeatProjLayerNorm;

    public override int GetHashCode() => HashCode.Combine(HiddenSize, NumHiddenLayers, NumAttentionHeads, IntermediateSize, ConvDim.Length, DoStableLayerNorm);
}
