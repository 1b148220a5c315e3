using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Hyper-parameters of the MusicGen decoder LM (transformers' MusicgenDecoderConfig): K codebook embeddings summed,
/// sinusoidal positions, N pre-norm layers (causal self-attention, cross-attention over the conditioning, GELU FFN,
/// every Linear bias-free, LayerNorms with weight and bias) and one LM head per codebook; MusicGen-Melody's blocks
/// have no cross-attention (<see cref="CrossAttention"/>). Read from the <c>decoder</c> part of a MusicGen or
/// MusicGen-Melody config.json, a standalone decoder config, or GGUF metadata.
/// </summary>
public sealed record MusicGenDecoderConfig
{
    /// <summary>Codes per codebook (2048); the embedding tables hold one more row, the special/pad token.</summary>
    public int VocabSize { get; init; } = 2048;
    public int HiddenSize { get; init; } = 1024;
    public int NumHiddenLayers { get; init; } = 24;
    public int NumAttentionHeads { get; init; } = 16;
    public int FfnDim { get; init; } = 4096;
    public int NumCodebooks { get; init; } = 4;
    public int AudioChannels { get; init; } = 1;
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public string ActivationFunction { get; init; } = "gelu";
    public bool ScaleEmbedding { get; init; }
    public int PadTokenId { get; init; } = 2048;
    public int BosTokenId { get; init; } = 2048;

    /// <summary>nn.LayerNorm's default: transformers does not expose it in the config.</summary>
    public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>
    /// Whether blocks cross-attend to the conditioning (text-to-music models). MusicGen-Melody's blocks have no
    /// cross-attention: its conditioning [chroma | text] is a prefix of the self-attended sequence instead.
    /// </summary>
    public bool CrossAttention { get; init; } = true;

    /// <summary>MusicGen-Melody: chroma frames of the prefix (the melody is tiled or cut to it; 235 = 30 s); 0 otherwise.</summary>
    public int ChromaLength { get; init; }

    /// <summary>MusicGen-Melody: chroma bins per frame (12), the input width of the chroma projection; 0 otherwise.</summary>
    public int NumChroma { get; init; }

    /// <summary>A MusicGen-Melody decoder: conditioned by a prefix of projected chroma and text, not by cross-attention.</summary>
    public bool IsMelody => !CrossAttention;

    /// <summary>transformers' defaults of a musicgen_melody config (chroma_length 235, num_chroma 12).</summary>
    public const int MelodyChromaLength = 235, MelodyNumChroma = 12;

    /// <summary>facebook/musicgen-small's decoder.</summary>
    public static MusicGenDecoderConfig Small { get; } = new();

    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Codebooks per audio channel (the delay pattern's K; stereo interleaves two channels).</summary>
    public int ChannelCodebooks => NumCodebooks / AudioChannels;

    /// <summary>Rows of each embedding table: the codes plus the special token.</summary>
    public int EmbeddingRows => VocabSize + 1;

    /// <summary>
    /// The largest sizes accepted (musicgen-large: hidden 2048, 48 layers of 32 heads, ffn 8192, 4 or 8 codebooks of
    /// 2048, 2048 positions; melody: 235 chroma frames of 12 bins). The sinusoidal position table is computed, not
    /// read, so its size (positions x hidden) is bounded too.
    /// </summary>
    public static class Limits
    {
        public const int VocabSize = 1 << 16, HiddenSize = 16384, Layers = 256, Heads = 256, FfnDim = 1 << 16, Codebooks = 64;
        public const int Positions = 1 << 16, ChromaLength = 1 << 14, NumChroma = 1024;

        /// <summary>Values of the sinusoidal table (positions x hidden): 1 GiB of f32.</summary>
        public const long PositionTable = 1L << 28;
    }

    /// <summary>Throws naming the first setting this implementation cannot run, that is inconsistent or out of <see cref="Limits"/>.</summary>
    public MusicGenDecoderConfig Validate(string source = "MusicGen decoder config")
    {
        void Fail(string what) => throw new ModelConfigException($"{source}: {what}");
        void Range(string key, long value, long min, long max) => ConfigLimits.Range(source, key, value, min, max);
        Range("vocab_size", VocabSize, 1, Limits.VocabSize);
        Range("hidden_size", HiddenSize, 1, Limits.HiddenSize);
        Range("num_hidden_layers", NumHiddenLayers, 1, Limits.Layers);
        Range("num_attention_heads", NumAttentionHeads, 1, Limits.Heads);
        Range("ffn_dim", FfnDim, 1, Limits.FfnDim);
        Range("num_codebooks", NumCodebooks, 1, Limits.Codebooks);
        Range("max_position_embeddings", MaxPositionEmbeddings, 1, Limits.Positions);
        if ((long)MaxPositionEmbeddings * HiddenSize > Limits.PositionTable)
            Fail($"max_position_embeddings {MaxPositionEmbeddings} x hidden_size {HiddenSize} exceeds the {Limits.PositionTable}-value position table this implementation computes");
        // lower bounds of the melody settings are checked below, with their meaning
        Range("chroma_length", ChromaLength, int.MinValue, Limits.ChromaLength);
        Range("num_chroma", NumChroma, int.MinValue, Limits.NumChroma);
        if (HiddenSize % NumAttentionHeads != 0)
            Fail($"num_attention_heads {NumAttentionHeads} does not divide hidden_size {HiddenSize} " +
                 $"(heads x head_dim must equal hidden_size; the medium and large hub configs once carried a wrong head count: " +
                 $"medium uses 24 heads of 64, large 32 heads of 64)");
        if (FfnDim < 1) Fail($"ffn_dim {FfnDim} must be positive");
        if (NumCodebooks < 1) Fail($"num_codebooks {NumCodebooks} must be positive");
        if (AudioChannels is not (1 or 2)) Fail($"audio_channels {AudioChannels} (1 or 2 supported)");
        if (NumCodebooks % AudioChannels != 0)
            Fail($"num_codebooks {NumCodebooks} is not a whole number of codebooks per channel for {AudioChannels} channels");
        if (MaxPositionEmbeddings < 1) Fail($"max_position_embeddings {MaxPositionEmbeddings} must be positive");
        if (ActivationFunction != "gelu")
            Fail($"activation_function '{ActivationFunction}' is not supported (MusicGen uses 'gelu', the exact erf GELU)");
        if (PadTokenId < 0 || PadTokenId > VocabSize)
            Fail($"pad_token_id {PadTokenId} is not a row of the {EmbeddingRows}-row embedding tables");
        if (BosTokenId < 0 || BosTokenId > VocabSize)
            Fail($"bos_token_id {BosTokenId} is not a row of the {EmbeddingRows}-row embedding tables");
        if (!(LayerNormEps > 0) || !float.IsFinite(LayerNormEps)) Fail($"layer norm eps {LayerNormEps} must be a positive number");
        if (CrossAttention && (ChromaLength != 0 || NumChroma != 0))
            Fail($"chroma_length {ChromaLength} / num_chroma {NumChroma} belong to a melody decoder (no cross-attention), but this one cross-attends");
        if (!CrossAttention && ChromaLength < 1) Fail($"chroma_length {ChromaLength} must be positive for a melody decoder");
        if (!CrossAttention && NumChroma < 1) Fail($"num_chroma {NumChroma} must be positive for a melody decoder");
        return this;
    }

    /// <summary>
    /// Reads a transformers config.json: a MusicGen config holding a <c>musicgen_decoder</c> as <c>decoder</c>, a
    /// MusicGen-Melody config (<c>musicgen_melody</c>: a <c>musicgen_melody_decoder</c>, chroma_length and num_chroma
    /// at the top level), or a standalone decoder config of either kind.
    /// </summary>
    public static MusicGenDecoderConfig FromHuggingFaceJson(string json, string source)
    {
        var obj = ParseObject(json, source);
        static bool IsDecoder(string? type) => type is "musicgen_decoder" or "musicgen_melody_decoder";
        var node = IsDecoder(String(obj, "model_type", source)) ? obj : Object(obj, "decoder", source);
        var decoderType = node is null ? null : String(node, "model_type", source);
        if (node is null || !IsDecoder(decoderType))
            throw new ModelConfigException($"{source}: neither a MusicGen decoder config nor a config with a 'musicgen_decoder' or 'musicgen_melody_decoder' as 'decoder'");
        var d = new MusicGenDecoderConfig();
        var melody = decoderType == "musicgen_melody_decoder";
        return new MusicGenDecoderConfig
        {
            CrossAttention = !melody,
            // the melody settings sit in the composite config; a standalone melody decoder config takes transformers' defaults
            ChromaLength = melody ? Int(obj, "chroma_length", MelodyChromaLength, source) : 0,
            NumChroma = melody ? Int(obj, "num_chroma", MelodyNumChroma, source) : 0,
            VocabSize = Int(node, "vocab_size", d.VocabSize, source),
            HiddenSize = Int(node, "hidden_size", d.HiddenSize, source),
            NumHiddenLayers = Int(node, "num_hidden_layers", d.NumHiddenLayers, source),
            NumAttentionHeads = Int(node, "num_attention_heads", d.NumAttentionHeads, source),
            FfnDim = Int(node, "ffn_dim", d.FfnDim, source),
            NumCodebooks = Int(node, "num_codebooks", d.NumCodebooks, source),
            AudioChannels = Int(node, "audio_channels", d.AudioChannels, source),
            MaxPositionEmbeddings = Int(node, "max_position_embeddings", d.MaxPositionEmbeddings, source),
            ActivationFunction = String(node, "activation_function", source) ?? d.ActivationFunction,
            ScaleEmbedding = Bool(node, "scale_embedding", d.ScaleEmbedding, source),
            PadTokenId = Int(node, "pad_token_id", d.PadTokenId, source),
            BosTokenId = Int(node, "bos_token_id", d.BosTokenId, source),
        }.Validate(source);
    }
}
