using System.Globalization;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// State-dict names of the output projector in an M2UGen checkpoint (projector.py ProjectionLayer under
/// <c>output_projector.</c>). PyTorch shapes, d = d_model, f = dim_feedforward:
/// <list type="bullet">
/// <item><c>fc.{weight [d, in_dim], bias [d]}</c>; <c>model.{weight [out_dim, d], bias [out_dim]}</c>;
/// <c>query_embs</c> [1, num_output_tokens, d].</item>
/// <item><c>tfm.encoder.layers.{i}.</c>: <c>self_attn.in_proj_weight</c> [3d, d] (rows q; k; v) and
/// <c>in_proj_bias</c> [3d], <c>self_attn.out_proj.{weight [d, d], bias}</c>, <c>linear1</c> [f, d], <c>linear2</c>
/// [d, f] (with biases), <c>norm1</c> / <c>norm2</c> (LayerNorm weight, bias [d]); <c>tfm.encoder.norm</c>.</item>
/// <item><c>tfm.decoder.layers.{i}.</c>: <c>self_attn.*</c>, <c>multihead_attn.*</c> (cross-attention), <c>linear1</c>,
/// <c>linear2</c>, <c>norm1..3</c>; <c>tfm.decoder.norm</c>.</item>
/// </list>
/// </summary>
public static class ProjectorCheckpointKeys
{
    public const string Prefix = "output_projector.";

    public const string Fc = Prefix + "fc";
    public const string FcWeight = Fc + ".weight";
    public const string Output = Prefix + "model";
    public const string OutputWeight = Output + ".weight";
    public const string QueryEmbeddings = Prefix + "query_embs";
    public const string EncoderNorm = Prefix + "tfm.encoder.norm";
    public const string DecoderNorm = Prefix + "tfm.decoder.norm";

    // modules inside a layer
    public const string SelfAttention = "self_attn";
    public const string CrossAttention = "multihead_attn";
    public const string Up = "linear1";
    public const string Down = "linear2";

    /// <summary>norm1 / norm2 / norm3 (1-based, as nn.TransformerEncoderLayer / DecoderLayer name them).</summary>
    public static string Norm(int n) => string.Create(CultureInfo.InvariantCulture, $"norm{n}");

    /// <summary>A module of encoder layer i, e.g. <c>output_projector.tfm.encoder.layers.0.linear1</c>.</summary>
    public static string EncoderLayer(int layer, string module) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}tfm.encoder.layers.{layer}.{module}");

    /// <summary>A module of decoder layer i.</summary>
    public static string DecoderLayer(int layer, string module) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}tfm.decoder.layers.{layer}.{module}");
}
