using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.T5;

/// <summary>The nonlinearity of a T5 feed-forward block (transformers' ACT2FN name in the comment).</summary>
public enum T5Activation
{
    /// <summary>"relu".</summary>
    Relu,
    /// <summary>"gelu": exact GELU, x·Φ(x).</summary>
    Gelu,
    /// <summary>"gelu_new": GELU with the tanh approximation (what "gated-gelu" uses).</summary>
    GeluNew,
    /// <summary>"silu".</summary>
    Silu,
}

/// <summary>
/// Hyper-parameters of a T5 encoder (transformers' T5Config, encoder side only). Read from a standalone T5 config.json,
/// from the <c>text_encoder</c> part of a MusicGen config, or from GGUF metadata; graph code reads sizes only from here.
/// Defaults are transformers' T5Config defaults.
/// </summary>
public sealed record T5Config
{
    public int VocabSize { get; init; } = 32128;
    public int DModel { get; init; } = 512;
    public int DKv { get; init; } = 64;
    public int DFf { get; init; } = 2048;
    public int NumLayers { get; init; } = 6;
    public int NumHeads { get; init; } = 8;
    public int RelativeAttentionNumBuckets { get; init; } = 32;
    public int RelativeAttentionMaxDistance { get; init; } = 128;
    public string FeedForwardProj { get; init; } = "relu";
    public double LayerNormEpsilon { get; init; } = 1e-6;

    /// <summary>t5-base, MusicGen's text encoder.</summary>
    public static T5Config T5Base { get; } = new() { DModel = 768, DFf = 3072, NumLayers = 12, NumHeads = 12 };

    /// <summary>Width of the attention projections: num_heads * d_kv (need not equal d_model).</summary>
    public int InnerDim => NumHeads * DKv;

    /// <summary>Whether the feed-forward block is gated: wo(act(wi_0 x) * wi_1 x) instead of wo(act(wi x)).</summary>
    public bool IsGated => ParseFeedForward(FeedForwardProj).Gated;

    public T5Activation Activation => ParseFeedForward(FeedForwardProj).Activation;

    /// <summary>transformers' T5Config.__init__: "[gated-]act"; "gated-gelu" means gelu_new for backwards compatibility.</summary>
    private static (bool Gated, T5Activation Activation) ParseFeedForward(string text)
    {
        var parts = text.Split('-');
        var gated = parts.Length == 2 && parts[0] == "gated";
        if (parts.Length > 2 || parts.Length == 2 && !gated)
            throw new ModelConfigException($"T5 config: feed_forward_proj '{text}' is not of the form 'act' or 'gated-act'");
        var activation = text == "gated-gelu" ? "gelu_new" : parts[^1];
        return (gated, activation switch
        {
            "relu" => T5Activation.Relu,
            "gelu" => T5Activation.Gelu,
            "gelu_new" => T5Activation.GeluNew,
            "silu" => T5Activation.Silu,
            _ => throw new ModelConfigException($"T5 config: feed_forward_proj '{text}': activation '{activation}' is not supported (relu, gelu, gelu_new, silu)"),
        });
    }

    /// <summary>
    /// The largest sizes accepted (t5-base: vocab 32128, d_model 768, 12 layers of 12 heads, d_ff 3072, 32 buckets).
    /// <see cref="InputTokens"/> bounds the text: attention and the position-bucket grid grow with its square, and
    /// transformers' MusicGen (and audiocraft's T5Conditioner) tokenize without truncation, so a longer prompt is
    /// refused with this limit named rather than silently cut.
    /// </summary>
    public static class Limits
    {
        public const int VocabSize = 1 << 20, DModel = 16384, DKv = 1024, DFf = 1 << 16, Layers = 256, Heads = 256, InnerDim = 1 << 16;
        public const int Buckets = 4096, MaxDistance = 1 << 20;

        /// <summary>Tokens (eos included) per text: t5-base's n_positions and its tokenizer's model_max_length.</summary>
        public const int InputTokens = 512;
    }

    /// <summary>Throws naming the first setting that is missing, inconsistent, not supported or out of <see cref="Limits"/>.</summary>
    public T5Config Validate()
    {
        void Fail(string what) => throw new ModelConfigException($"T5 config: {what}");
        void Range(string key, long value, long min, long max) => ConfigLimits.Range("T5 config", key, value, min, max);
        Range("vocab_size", VocabSize, 1, Limits.VocabSize);
        Range("d_model", DModel, 1, Limits.DModel);
        Range("d_kv", DKv, 1, Limits.DKv);
        Range("d_ff", DFf, 1, Limits.DFf);
        Range("num_layers", NumLayers, 1, Limits.Layers);
        Range("num_heads", NumHeads, 1, Limits.Heads);
        ConfigLimits.Product("T5 config", "num_heads x d_kv", Limits.InnerDim, NumHeads, DKv);
        // bidirectional buckets: half per direction, half of those exact; the log-spaced rest needs max_distance beyond them
        Range("relative_attention_num_buckets", RelativeAttentionNumBuckets, 4, Limits.Buckets);
        Range("relative_attention_max_distance", RelativeAttentionMaxDistance, 1, Limits.MaxDistance);
        var maxExact = RelativeAttentionNumBuckets / 4;
        if (RelativeAttentionMaxDistance <= maxExact)
            Fail($"relative_attention_max_distance {RelativeAttentionMaxDistance} must exceed the {maxExact} exact buckets per direction");
        if (!(LayerNormEpsilon > 0) || double.IsInfinity(LayerNormEpsilon)) Fail($"layer_norm_epsilon {LayerNormEpsilon} must be positive");
        _ = ParseFeedForward(FeedForwardProj);
        return this;
    }

    /// <summary>Reads a transformers config.json: a T5 config, or a MusicGen config holding one as text_encoder.</summary>
    public static T5Config FromHuggingFaceJson(string json, string source)
    {
        var obj = ParseObject(json, source);
        var node = String(obj, "model_type", source) == "t5" ? obj : Object(obj, "text_encoder", source);
        if (node is null || String(node, "model_type", source) != "t5")
            throw new ModelConfigException($"{source}: neither a T5 config nor a config with a T5 'text_encoder'");
        var d = new T5Config();
        try
        {
            return new T5Config
            {
                VocabSize = Int(node, "vocab_size", d.VocabSize, source),
                DModel = Int(node, "d_model", d.DModel, source),
                DKv = Int(node, "d_kv", d.DKv, source),
                DFf = Int(node, "d_ff", d.DFf, source),
                NumLayers = Int(node, "num_layers", d.NumLayers, source),
                NumHeads = Int(node, "num_heads", d.NumHeads, source),
                RelativeAttentionNumBuckets = Int(node, "relative_attention_num_buckets", d.RelativeAttentionNumBuckets, source),
                RelativeAttentionMaxDistance = Int(node, "relative_attention_max_distance", d.RelativeAttentionMaxDistance, source),
                FeedForwardProj = String(node, "feed_forward_proj", source) ?? d.FeedForwardProj,
                LayerNormEpsilon = Double(node, "layer_norm_epsilon", d.LayerNormEpsilon, source),
            }.Validate();
        }
        catch (ModelConfigException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new ModelConfigException($"{source}: {e.Message}");
        }
    }
}
