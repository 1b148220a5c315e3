using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// transformers' VivitConfig (model_type "vivit"), the fields VivitModel reads. Defaults are transformers' defaults,
/// which are google/vivit-b-16x2-kinetics400's sizes (32 frames of 224×224, 2×16×16 tubelets, gelu_fast).
/// <see cref="ToTransformer"/> gives the shared encoder description.
/// </summary>
public sealed record ViViTConfig
{
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public string HiddenAct { get; init; } = "gelu_fast";
    public double LayerNormEps { get; init; } = 1e-6;
    public bool QkvBias { get; init; } = true;
    public int NumChannels { get; init; } = 3;

    /// <summary>Square frame side (VivitEmbeddings uses one number for height and width).</summary>
    public int ImageSize { get; init; } = 224;

    public int NumFrames { get; init; } = 32;

    /// <summary>Tubelet (frames, height, width): the Conv3d kernel and stride.</summary>
    public int[] TubeletSize { get; init; } = [2, 16, 16];

    /// <summary>google/vivit-b-16x2-kinetics400.</summary>
    public static ViViTConfig B16x2Kinetics400 { get; } = new();

    public VisionTransformerConfig ToTransformer()
    {
        if (TubeletSize is not { Length: 3 })
            throw new ModelConfigException($"ViViT config: tubelet_size [{string.Join(", ", TubeletSize ?? [])}] should be [frames, height, width]");
        return new VisionTransformerConfig
        {
            Family = VisionFamily.ViViT,
            HiddenSize = HiddenSize,
            NumHiddenLayers = NumHiddenLayers,
            NumAttentionHeads = NumAttentionHeads,
            IntermediateSize = IntermediateSize,
            HiddenAct = HiddenAct,
            LayerNormEps = LayerNormEps,
            QkvBias = QkvBias,
            NumChannels = NumChannels,
            NumFrames = NumFrames,
            ImageHeight = ImageSize,
            ImageWidth = ImageSize,
            PatchFrames = TubeletSize[0],
            PatchHeight = TubeletSize[1],
            PatchWidth = TubeletSize[2],
        }.Validate();
    }

    /// <summary>Reads a transformers config.json of model_type "vivit" (VivitModel or VivitForVideoClassification).</summary>
    public static ViViTConfig FromHuggingFaceJson(string json, string source)
    {
        var o = VisionConfigJson.Parse(json, source, "vivit");
        var d = new ViViTConfig();
        var config = new ViViTConfig
        {
            HiddenSize = Int(o, "hidden_size", d.HiddenSize, source),
            NumHiddenLayers = Int(o, "num_hidden_layers", d.NumHiddenLayers, source),
            NumAttentionHeads = Int(o, "num_attention_heads", d.NumAttentionHeads, source),
            IntermediateSize = Int(o, "intermediate_size", d.IntermediateSize, source),
            HiddenAct = String(o, "hidden_act", source) ?? d.HiddenAct,
            LayerNormEps = Double(o, "layer_norm_eps", d.LayerNormEps, source),
            QkvBias = Bool(o, "qkv_bias", d.QkvBias, source),
            NumChannels = Int(o, "num_channels", d.NumChannels, source),
            ImageSize = Int(o, "image_size", d.ImageSize, source),
            NumFrames = Int(o, "num_frames", d.NumFrames, source),
            TubeletSize = Ints(o, "tubelet_size", d.TubeletSize, source),
        };
        VisionConfigJson.Check(() => config.ToTransformer(), source);
        return config;
    }
}
