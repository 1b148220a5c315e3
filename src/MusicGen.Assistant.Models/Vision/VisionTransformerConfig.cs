using System.Globalization;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>Which Hugging Face vision family a transformer encoder comes from; it fixes the input layout and GGUF names.</summary>
public enum VisionFamily
{
    /// <summary>transformers' ViTModel: one image [C, H, W], square-or-not patches.</summary>
    ViT,

    /// <summary>transformers' VivitModel: a clip [T, C, H, W], tubelets over (time, height, width).</summary>
    ViViT,
}

/// <summary>The feed-forward nonlinearity (transformers' ACT2FN names in the comments).</summary>
public enum VisionActivation
{
    /// <summary>"gelu": exact GELU, x·Φ(x).</summary>
    Gelu,

    /// <summary>"gelu_new", "gelu_fast", "gelu_pytorch_tanh": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    GeluTanh,

    /// <summary>"quick_gelu": x·sigmoid(1.702·x).</summary>
    QuickGelu,

    /// <summary>"relu".</summary>
    Relu,

    /// <summary>"silu" / "swish".</summary>
    Silu,
}

/// <summary>
/// Everything the shared ViT/ViViT encoder needs: transformer sizes and the patch geometry. A ViT is the case of one
/// frame and a tubelet depth of 1, so both families run the same weights, graph and runner. Built from a family's
/// Hugging Face config (<see cref="ViTConfig"/>, <see cref="ViViTConfig"/>) or read from GGUF metadata
/// (<see cref="VisionMetadata"/>); graph code reads sizes only from here. As in transformers' strided convolution,
/// pixels past the last whole patch (or frames past the last whole tubelet) are ignored.
/// </summary>
public sealed record VisionTransformerConfig
{
    public required VisionFamily Family { get; init; }
    public required int HiddenSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int IntermediateSize { get; init; }

    /// <summary>The config's hidden_act string, kept verbatim (stored in GGUF).</summary>
    public required string HiddenAct { get; init; }

    public required double LayerNormEps { get; init; }
    public required bool QkvBias { get; init; }
    public required int NumChannels { get; init; }

    /// <summary>Frames per input clip (1 for ViT).</summary>
    public required int NumFrames { get; init; }

    public required int ImageHeight { get; init; }
    public required int ImageWidth { get; init; }

    /// <summary>Tubelet depth in frames (1 for ViT).</summary>
    public required int PatchFrames { get; init; }

    public required int PatchHeight { get; init; }
    public required int PatchWidth { get; init; }

    public int GridFrames => NumFrames / PatchFrames;
    public int GridHeight => ImageHeight / PatchHeight;
    public int GridWidth => ImageWidth / PatchWidth;

    /// <summary>Patches (tubelets) per input: frames·rows·columns of the patch grid.</summary>
    public int NumPatches => GridFrames * GridHeight * GridWidth;

    /// <summary>Tokens per input: the CLS token followed by the patches.</summary>
    public int SequenceLength => NumPatches + 1;

    /// <summary>Values in one flattened patch, in the convolution kernel's order (channel, frame, row, column).</summary>
    public int PatchVectorLength => NumChannels * PatchFrames * PatchHeight * PatchWidth;

    public int HeadDim => HiddenSize / NumAttentionHeads;

    public VisionActivation Activation => ParseActivation(HiddenAct, Name);

    /// <summary>"ViT" or "ViViT", for messages.</summary>
    public string Name => Family == VisionFamily.ViT ? "ViT" : "ViViT";

    /// <summary>Maps a transformers hidden_act name to the activation it computes; unsupported names are refused.</summary>
    public static VisionActivation ParseActivation(string hiddenAct, string model) => hiddenAct switch
    {
        "gelu" => VisionActivation.Gelu,
        "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => VisionActivation.GeluTanh,
        "quick_gelu" => VisionActivation.QuickGelu,
        "relu" => VisionActivation.Relu,
        "silu" or "swish" => VisionActivation.Silu,
        _ => throw new ModelConfigException($"{model} config: hidden_act '{hiddenAct}' is not supported (gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, quick_gelu, relu, silu, swish)"),
    };

    /// <summary>
    /// The largest sizes accepted (ViT-L/ViViT-B: hidden 1024, 24 layers, 224×224 images, 32 frames, 3137 tokens). The
    /// sequence length bounds attention, whose memory grows with its square.
    /// </summary>
    public static class Limits
    {
        public const int HiddenSize = 16384, Layers = 256, Heads = 256, IntermediateSize = 1 << 16, Channels = 16;
        public const int Frames = 1024, ImageSide = 8192, PatchVector = 1 << 20, Tokens = 16384;
    }

    /// <summary>Throws naming the first setting that is missing, inconsistent, not supported or out of <see cref="Limits"/>.</summary>
    public VisionTransformerConfig Validate()
    {
        void Fail(string what) => throw new ModelConfigException($"{Name} config: {what}");
        void Positive(int value, string key, int max) => ConfigLimits.Range($"{Name} config", key, value, 1, max);
        Positive(HiddenSize, "hidden_size", Limits.HiddenSize);
        Positive(NumHiddenLayers, "num_hidden_layers", Limits.Layers);
        Positive(NumAttentionHeads, "num_attention_heads", Limits.Heads);
        Positive(IntermediateSize, "intermediate_size", Limits.IntermediateSize);
        Positive(NumChannels, "num_channels", Limits.Channels);
        Positive(NumFrames, "num_frames", Limits.Frames);
        Positive(ImageHeight, "image height", Limits.ImageSide);
        Positive(ImageWidth, "image width", Limits.ImageSide);
        Positive(PatchFrames, "tubelet depth", Limits.Frames);
        Positive(PatchHeight, "patch height", Limits.ImageSide);
        Positive(PatchWidth, "patch width", Limits.ImageSide);
        if (HiddenSize % NumAttentionHeads != 0)
            Fail($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        if (Family == VisionFamily.ViT && (NumFrames != 1 || PatchFrames != 1))
            Fail($"a ViT takes single images (num_frames {NumFrames}, tubelet depth {PatchFrames})");
        if (PatchFrames > NumFrames || PatchHeight > ImageHeight || PatchWidth > ImageWidth)
            Fail($"patch {PatchFrames}×{PatchHeight}×{PatchWidth} is larger than the input {NumFrames}×{ImageHeight}×{ImageWidth}");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps)) Fail($"layer_norm_eps {LayerNormEps} must be positive");
        ConfigLimits.Product($"{Name} config", "the patch size (channels x frames x height x width)", Limits.PatchVector,
            NumChannels, PatchFrames, PatchHeight, PatchWidth);
        ConfigLimits.Product($"{Name} config", "the number of patches (grid frames x rows x columns)", Limits.Tokens - 1,
            NumFrames / PatchFrames, ImageHeight / PatchHeight, ImageWidth / PatchWidth);
        _ = ParseActivation(HiddenAct, Name);
        return this;
    }
}
