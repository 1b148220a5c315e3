using System.Globalization;

namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// GGUF names of the T5 encoder family, declared once (tensor names follow llama.cpp's T5 naming under a <c>t5.</c>
/// prefix). Layouts in ggml order (Ne[0] fastest), i.e. each PyTorch Linear weight [out, in] as it is, Ne = {in, out}:
/// <list type="bullet">
/// <item><c>t5.token_embd.weight</c>: {d_model, vocab} (transformers' <c>shared</c>).</item>
/// <item><c>t5.enc.blk.0.attn_rel_b.weight</c>: {num_heads, num_buckets}; only block 0 has it, every block uses it.</item>
/// <item>per block i: <c>attn_norm</c>, <c>ffn_norm</c> {d_model}; <c>attn_q/k/v</c> {d_model, heads·d_kv};
/// <c>attn_o</c> {heads·d_kv, d_model}; <c>ffn_up</c> (wi, or wi_1 when gated) and <c>ffn_gate</c> (wi_0, gated only)
/// {d_model, d_ff}; <c>ffn_down</c> (wo) {d_ff, d_model}.</item>
/// <item><c>t5.enc.output_norm.weight</c>: {d_model} (final_layer_norm).</item>
/// </list>
/// MusicGen's conditioning projection (<c>enc_to_dec_proj</c>, present only when d_model differs from the decoder
/// width D) is stored next to it: <see cref="ProjectionWeight"/> {d_model, D}, <see cref="ProjectionBias"/> {D}.
/// </summary>
public static class T5Keys
{
    public const string Architecture = "t5";
    public const string TensorPrefix = "t5.";

    public const string VocabSize = "t5.vocab_size";
    public const string DModel = "t5.d_model";
    public const string DKv = "t5.d_kv";
    public const string DFf = "t5.d_ff";
    public const string NumLayers = "t5.num_layers";
    public const string NumHeads = "t5.num_heads";
    public const string RelativeAttentionNumBuckets = "t5.relative_attention_num_buckets";
    public const string RelativeAttentionMaxDistance = "t5.relative_attention_max_distance";
    public const string FeedForwardProj = "t5.feed_forward_proj";
    public const string LayerNormEpsilon = "t5.layer_norm_epsilon";

    public const string TokenEmbedding = "t5.token_embd.weight";
    public const string RelativeAttentionBias = "t5.enc.blk.0.attn_rel_b.weight";
    public const string FinalNorm = "t5.enc.output_norm.weight";

    public const string ProjectionWeight = "musicgen.enc_to_dec_proj.weight";
    public const string ProjectionBias = "musicgen.enc_to_dec_proj.bias";

    public static string AttentionNorm(int block) => Block(block, "attn_norm");
    public static string Query(int block) => Block(block, "attn_q");
    public static string Key(int block) => Block(block, "attn_k");
    public static string Value(int block) => Block(block, "attn_v");
    public static string Output(int block) => Block(block, "attn_o");
    public static string FeedForwardNorm(int block) => Block(block, "ffn_norm");
    public static string Up(int block) => Block(block, "ffn_up");
    public static string Gate(int block) => Block(block, "ffn_gate");
    public static string Down(int block) => Block(block, "ffn_down");

    private static string Block(int block, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{TensorPrefix}enc.blk.{block}.{name}.weight");
}
