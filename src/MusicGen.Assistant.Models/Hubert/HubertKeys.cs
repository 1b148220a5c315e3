using System.Globalization;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// GGUF names of the HuBERT / MERT encoder family, declared once. Layouts in ggml order (Ne[0] fastest):
/// <list type="bullet">
/// <item><c>hubert.conv.{i}.weight</c>: {kernel·in, out}, PyTorch's Conv1d weight [out, in, kernel] flattened with the
/// kernel tap fastest (im2col's column order); <c>.bias</c> {out} when conv_bias; <c>hubert.conv.{i}.norm.weight/bias</c>
/// {out}: every layer's LayerNorm ("layer"), or layer 0's GroupNorm ("group").</item>
/// <item><c>hubert.feat_proj.norm.weight/bias</c> {conv_dim[-1]} (when feat_proj_layer_norm),
/// <c>hubert.feat_proj.weight</c> {conv_dim[-1], hidden}, <c>.bias</c> {hidden}.</item>
/// <item><c>hubert.pos_conv.weight</c>: {kernel·hidden/groups, hidden}, the grouped Conv1d weight [hidden, hidden/groups,
/// kernel] with its weight norm (over dims 0 and 1, per tap) folded in; output rows of group g are g·hidden/groups..;
/// <c>.bias</c> {hidden}.</item>
/// <item><c>hubert.enc.norm.weight/bias</c> {hidden}: encoder.layer_norm (after the last layer when stable, before the
/// first otherwise).</item>
/// <item>per layer i: <c>attn_norm</c> (layer_norm), <c>ffn_norm</c> (final_layer_norm) {hidden}; <c>attn_q/k/v/o</c>
/// {hidden, hidden}; <c>ffn_up</c> {hidden, intermediate}; <c>ffn_down</c> {intermediate, hidden}; each with a bias.</item>
/// </list>
/// </summary>
public static class HubertKeys
{
    public const string Architecture = "hubert";
    public const string TensorPrefix = "hubert.";

    public const string HiddenSize = "hubert.hidden_size";
    public const string NumHiddenLayers = "hubert.num_hidden_layers";
    public const string NumAttentionHeads = "hubert.num_attention_heads";
    public const string IntermediateSize = "hubert.intermediate_size";
    public const string HiddenAct = "hubert.hidden_act";
    public const string LayerNormEps = "hubert.layer_norm_eps";
    public const string FeatExtractNorm = "hubert.feat_extract_norm";
    public const string FeatExtractActivation = "hubert.feat_extract_activation";
    public const string ConvDim = "hubert.conv_dim";
    public const string ConvStride = "hubert.conv_stride";
    public const string ConvKernel = "hubert.conv_kernel";
    public const string ConvBias = "hubert.conv_bias";
    public const string NumConvPosEmbeddings = "hubert.num_conv_pos_embeddings";
    public const string NumConvPosEmbeddingGroups = "hubert.num_conv_pos_embedding_groups";
    public const string DoStableLayerNorm = "hubert.do_stable_layer_norm";
    public const string FeatProjLayerNorm = "hubert.feat_proj_layer_norm";

    public const string SamplingRate = "hubert.preprocessor.sampling_rate";
    public const string DoNormalize = "hubert.preprocessor.do_normalize";
    public const string PaddingValue = "hubert.preprocessor.padding_value";
    public const string ReturnAttentionMask = "hubert.preprocessor.return_attention_mask";

    public const string FeatureProjectionNormWeight = "hubert.feat_proj.norm.weight";
    public const string FeatureProjectionNormBias = "hubert.feat_proj.norm.bias";
    public const string FeatureProjectionWeight = "hubert.feat_proj.weight";
    public const string FeatureProjectionBias = "hubert.feat_proj.bias";
    public const string PositionalConvWeight = "hubert.pos_conv.weight";
    public const string PositionalConvBias = "hubert.pos_conv.bias";
    public const string EncoderNormWeight = "hubert.enc.norm.weight";
    public const string EncoderNormBias = "hubert.enc.norm.bias";

    public static string ConvWeight(int layer) => Conv(layer, "weight");
    public static string ConvBiasTensor(int layer) => Conv(layer, "bias");
    public static string ConvNormWeight(int layer) => Conv(layer, "norm.weight");
    public static string ConvNormBias(int layer) => Conv(layer, "norm.bias");

    public static string AttentionNorm(int layer, string part) => Block(layer, "attn_norm", part);
    public static string Query(int layer, string part) => Block(layer, "attn_q", part);
    public static string Key(int layer, string part) => Block(layer, "attn_k", part);
    public static string Value(int layer, string part) => Block(layer, "attn_v", part);
    public static string Output(int layer, string part) => Block(layer, "attn_o", part);
    public static string FeedForwardNorm(int layer, string part) => Block(layer, "ffn_norm", part);
    public static string Up(int layer, string part) => Block(layer, "ffn_up", part);
    public static string Down(int layer, string part) => Block(layer, "ffn_down", part);

    private static string Conv(int layer, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{TensorPrefix}conv.{layer}.{name}");

    private static string Block(int layer, string name, string part) =>
        part is "weight" or "bias" ? string.Create(CultureInfo.InvariantCulture, $"{TensorPrefix}enc.blk.{layer}.{name}.{part}")
            : throw new ArgumentException($"tensor part '{part}' (weight or bias)", nameof(part));
}
