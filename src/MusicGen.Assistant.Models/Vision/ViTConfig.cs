using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// transformers' ViTConfig (model_type "vit"), the fields ViTModel reads. Defaults are transformers' defaults, which
/// are google/vit-base-patch16-224's sizes. <see cref="ToTransformer"/> gives the shared encoder description.
/// </summary>
public sealed record ViTConfig
{
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public string HiddenAct { get; init; } = "gelu";
    public double LayerNormEps { get; init; } = 1e-12;
    public bool QkvBias { get; init; } = true;
    public int NumChannels { get; init; } = 3;

    /// <summary>(height, width); config.json may give one number for a square.</summary>
    public (int Height, int Width) ImageSize { get; init; } = (224, 224);

    /// <summary>(height, width); config.json may give one number for a square.</summary>
    public (int Height, int Width) PatchSize { get; init; } = (16, 16);

    /// <summary>google/vit-base-patch16-224 (and its -in21k sibling): 12 layers of 768, 16×16 patches of 224×224.</summary>
    public static ViTConfig Base16_224 { get; } = new();

    public VisionTransformerConfig ToTransformer() => new VisionTransformerConfig
    {
        Family = VisionFamily.ViT,
        HiddenSize = HiddenSize,
        NumHiddenLayers = NumHiddenLayers,
        NumAttentionHeads = NumAttentionHeads,
        IntermediateSize = IntermediateSize,
        HiddenAct = HiddenAct,
        LayerNormEps = LayerNormEps,
        QkvBias = QkvBias,
        NumChannels = NumChannels,
        NumFrames = 1,
        ImageHeight = ImageSize.Height,
        ImageWidth = ImageSize.Width,
        PatchFrames = 1,
        PatchHeight = PatchSize.Height,
        PatchWidth = PatchSize.Width,
    }.Validate();

    /// <summary>Reads a transformers config.json of model_type "vit" (ViTModel or ViTForImageClassification).</summary>
    public static ViTConfig FromHuggingFaceJson(string json, string source)
    {
        var o = VisionConfigJson.Parse(json, source, "vit");
        var d = new ViTConfig();
        var config = new ViTConfig
        {
            HiddenSize = Int(o, "hidden_size", d.HiddenSize, source),
            NumHiddenLayers = Int(o, "num_hidden_layers", d.NumHiddenLayers, source),
            NumAttentionHeads = Int(o, "num_attention_heads", d.NumAttentionHeads, source),
            IntermediateSize = Int(o, "intermediate_size", d.IntermediateSize, source),
            HiddenAct = String(o, "hidden_act", source) ?? d.HiddenAct,
            LayerNormEps = Double(o, "layer_norm_eps", d.LayerNormEps, source),
            QkvBias = Bool(o, "qkv_bias", d.QkvBias, source),
            NumChannels = Int(o, "num_channels", d.NumChannels, source),
            ImageSize = VisionConfigJson.Pair(o, "image_size", d.ImageSize, source),
            PatchSize = VisionConfigJson.Pair(o, "patch_size", d.PatchSize, source),
        };
        VisionConfigJson.Check(() => config.ToTransformer(), source);
        return config;
    }
}
