using System.Globalization;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// GGUF names of a vision encoder, declared once; every name starts with the family's prefix (<c>vit.</c> or
/// <c>vivit.</c>) so one file can hold both encoders. Layouts in ggml order (Ne[0] fastest):
/// <list type="bullet">
/// <item><c>patch_embd.weight</c> {C·pt·ph·pw, D}: the Conv2d/Conv3d kernel [D, C, (pt,) ph, pw] flattened, so
/// one patch vector in (channel, frame, row, column) order times it gives the embedding; <c>patch_embd.bias</c> {D}.</item>
/// <item><c>cls_embd</c> {D}; <c>position_embd</c> {D, 1 + patches}.</item>
/// <item>per block i: <c>ln1</c>/<c>ln2</c> (layernorm_before/after) weight and bias {D}; <c>attn_q/k/v</c> weight
/// {D, D} and bias {D} (biases only with qkv_bias); <c>attn_out</c> {D, D} + bias; <c>ffn_up</c> {D, F} + bias;
/// <c>ffn_down</c> {F, D} + bias.</item>
/// <item><c>post_ln</c> weight and bias {D} (the final layernorm); optional <c>pooler</c> {D, D} + bias.</item>
/// </list>
/// </summary>
public sealed class VisionKeys
{
    public static VisionKeys ViT { get; } = new("vit");
    public static VisionKeys ViViT { get; } = new("vivit");

    public static VisionKeys For(VisionFamily family) => family == VisionFamily.ViT ? ViT : ViViT;

    private VisionKeys(string architecture)
    {
        Architecture = architecture;
        Prefix = architecture + ".";
    }

    /// <summary>The GGUF general.architecture value of a file holding only this encoder.</summary>
    public string Architecture { get; }
    public string Prefix { get; }

    // metadata
    public string HiddenSize => Prefix + "hidden_size";
    public string NumHiddenLayers => Prefix + "num_hidden_layers";
    public string NumAttentionHeads => Prefix + "num_attention_heads";
    public string IntermediateSize => Prefix + "intermediate_size";
    public string HiddenAct => Prefix + "hidden_act";
    public string LayerNormEps => Prefix + "layer_norm_eps";
    public string QkvBias => Prefix + "qkv_bias";
    public string NumChannels => Prefix + "num_channels";
    public string NumFrames => Prefix + "num_frames";

    /// <summary>[height, width].</summary>
    public string ImageSize => Prefix + "image_size";

    /// <summary>[frames, height, width] (frames 1 for ViT).</summary>
    public string PatchSize => Prefix + "patch_size";

    // tensors
    public string Patch => Prefix + "patch_embd";
    public string PatchWeight => Patch + ".weight";
    public string PatchBias => Patch + ".bias";
    public string ClassEmbedding => Prefix + "cls_embd";
    public string PositionEmbedding => Prefix + "position_embd";
    public string FinalNormWeight => Prefix + "post_ln.weight";
    public string FinalNormBias => Prefix + "post_ln.bias";
    public string Pooler => Prefix + "pooler";
    public string PoolerWeight => Pooler + ".weight";
    public string PoolerBias => Pooler + ".bias";

    /// <summary>A block module, e.g. <c>Block(3, VisionKeys.Query)</c> = <c>vit.blk.3.attn_q</c>; its tensors add
    /// <c>.weight</c> / <c>.bias</c>.</summary>
    public string Block(int block, string module) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}blk.{block}.{module}");

    public const string BeforeNorm = "ln1";
    public const string Query = "attn_q";
    public const string Key = "attn_k";
    public const string Value = "attn_v";
    public const string AttentionOutput = "attn_out";
    public const string AfterNorm = "ln2";
    public const string Up = "ffn_up";
    public const string Down = "ffn_down";
}
