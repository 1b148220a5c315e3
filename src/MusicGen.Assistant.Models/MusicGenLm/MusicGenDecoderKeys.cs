using System.Globalization;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// GGUF names of the MusicGen decoder family, declared once. Layouts (ggml order, Ne[0] fastest), fixed by
/// <see cref="MusicGenDecoderCheckpointPlan"/>:
/// <list type="bullet">
/// <item>embedding table k: {hidden, vocab + 1} (row = token id; the last row is the special/pad token), f32.</item>
/// <item>projections (PyTorch Linear [out, in], no bias): {in, out}, i.e. the weight as it is.</item>
/// <item>layer norms: weight and bias {hidden}, f32.</item>
/// <item>LM head k: {hidden, vocab}.</item>
/// <item>melody only: the chroma projection {num_chroma, hidden} and its bias; no cross-attention tensors.</item>
/// </list>
/// The sinusoidal position table is not stored: it is a function of the sizes (<see cref="SinusoidalPositions"/>).
/// </summary>
public static class MusicGenDecoderKeys
{
    public const string Architecture = "musicgen";
    public const string TensorPrefix = "musicgen.";

    public const string VocabSize = "musicgen.vocab_size";
    public const string HiddenSize = "musicgen.hidden_size";
    public const string NumHiddenLayers = "musicgen.num_hidden_layers";
    public const string NumAttentionHeads = "musicgen.num_attention_heads";
    public const string FfnDim = "musicgen.ffn_dim";
    public const string NumCodebooks = "musicgen.num_codebooks";
    public const string AudioChannels = "musicgen.audio_channels";
    public const string MaxPositionEmbeddings = "musicgen.max_position_embeddings";
    public const string ActivationFunction = "musicgen.activation_function";
    public const string ScaleEmbedding = "musicgen.scale_embedding";
    public const string PadTokenId = "musicgen.pad_token_id";
    public const string BosTokenId = "musicgen.bos_token_id";
    public const string LayerNormEps = "musicgen.layer_norm_eps";

    /// <summary>Absent in files converted before melody support: cross-attention then, no chroma.</summary>
    public const string CrossAttentionEnabled = "musicgen.cross_attention";
    public const string ChromaLength = "musicgen.chroma_length";
    public const string NumChroma = "musicgen.num_chroma";

    /// <summary>MusicGen-Melody's chroma projection (audio_enc_to_dec_proj): weight {num_chroma, hidden}, bias {hidden}, f32.</summary>
    public const string ChromaProjection = "musicgen.chroma_proj";

    public static string TokenEmbedding(int codebook) => F($"musicgen.token_embd.{codebook}.weight");
    public static string LmHead(int codebook) => F($"musicgen.output.{codebook}.weight");
    public const string OutputNorm = "musicgen.output_norm";

    /// <summary>Block i's prefix; the parts below are appended to it.</summary>
    public static string Block(int layer) => F($"musicgen.blk.{layer}");

    public const string SelfAttentionNorm = "attn_norm";
    public const string SelfAttention = "attn";
    public const string CrossAttentionNorm = "cross_norm";
    public const string CrossAttention = "cross";
    public const string FeedForwardNorm = "ffn_norm";
    public const string FeedForwardUp = "ffn_up";
    public const string FeedForwardDown = "ffn_down";

    /// <summary>An attention projection: <c>{block}.{attn|cross}_{q|k|v|output}.weight</c>.</summary>
    public static string Projection(int layer, string attention, string which) => $"{Block(layer)}.{attention}_{which}.weight";

    public static string Weight(string prefix) => prefix + ".weight";
    public static string Bias(string prefix) => prefix + ".bias";
    public static string InBlock(int layer, string part) => $"{Block(layer)}.{part}";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
