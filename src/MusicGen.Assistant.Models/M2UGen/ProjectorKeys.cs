using System.Globalization;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// GGUF names of the M2UGen output projector, declared once, all under <c>m2ugen.projector.</c>. Layouts in ggml order
/// (Ne[0] fastest), d = d_model, f = dim_feedforward:
/// <list type="bullet">
/// <item><c>fc</c> {in_dim, d} + bias {d}; <c>out</c> {d, out_dim} + bias {out_dim}; <c>query_embd</c> {d, num_output_tokens}.</item>
/// <item>encoder block i (<c>enc.blk.i.</c>): <c>attn_q/attn_k/attn_v</c> {d, d} + bias (the packed in_proj split in
/// three), <c>attn_out</c> {d, d} + bias, <c>attn_norm</c> (norm1), <c>ffn_up</c> {d, f} + bias (linear1),
/// <c>ffn_down</c> {f, d} + bias (linear2), <c>ffn_norm</c> (norm2); then <c>enc.norm</c>.</item>
/// <item>decoder block i (<c>dec.blk.i.</c>): the same self-attention and <c>attn_norm</c> (norm1),
/// <c>cross_q/k/v/out</c> + <c>cross_norm</c> (multihead_attn, norm2), <c>ffn_up/ffn_down</c> + <c>ffn_norm</c>
/// (norm3); then <c>dec.norm</c>. Norms have <c>.weight</c> and <c>.bias</c> {d}.</item>
/// </list>
/// </summary>
public static class ProjectorKeys
{
    public const string Architecture = "m2ugen_projector";
    public const string Prefix = "m2ugen.projector.";

    // metadata
    public const string InDim = Prefix + "in_dim";
    public const string DModel = Prefix + "d_model";
    public const string HeadCount = Prefix + "head_count";
    public const string EncoderLayers = Prefix + "encoder_layers";
    public const string DecoderLayers = Prefix + "decoder_layers";
    public const string FeedForwardDim = Prefix + "feed_forward_dim";
    public const string InputTokens = Prefix + "input_tokens";
    public const string OutputTokens = Prefix + "output_tokens";
    public const string OutDim = Prefix + "out_dim";
    public const string LayerNormEps = Prefix + "layer_norm_eps";
    public const string OutputScale = Prefix + "output_scale";

    // tensors (modules: add .weight / .bias)
    public const string Fc = Prefix + "fc";
    public const string Output = Prefix + "out";
    public const string QueryEmbeddings = Prefix + "query_embd";
    public const string EncoderNorm = Prefix + "enc.norm";
    public const string DecoderNorm = Prefix + "dec.norm";

    public const string AttentionQuery = "attn_q";
    public const string AttentionKey = "attn_k";
    public const string AttentionValue = "attn_v";
    public const string AttentionOutput = "attn_out";
    public const string AttentionNorm = "attn_norm";
    public const string CrossQuery = "cross_q";
    public const string CrossKey = "cross_k";
    public const string CrossValue = "cross_v";
    public const string CrossOutput = "cross_out";
    public const string CrossNorm = "cross_norm";
    public const string FeedForwardUp = "ffn_up";
    public const string FeedForwardDown = "ffn_down";
    public const string FeedForwardNorm = "ffn_norm";

    public static string EncoderBlock(int block, string module) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}enc.blk.{block}.{module}");

    public static string DecoderBlock(int block, string module) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}dec.blk.{block}.{module}");
}
