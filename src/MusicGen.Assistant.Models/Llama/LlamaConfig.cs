using static MusicGen.Assistant.Models.HfConfigJson;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// Hyper-parameters of a LLaMA (Meta's llama / llama-2 and transformers' LlamaForCausalLM, llama.cpp's LLAMA
/// architecture): token embedding, pre-norm blocks of RMSNorm → grouped-query attention with RoPE → RMSNorm → SwiGLU,
/// a final RMSNorm and the LM head. Read from a Hugging Face config.json, GGUF metadata (<see cref="LlamaMetadata"/>)
/// or the tensor shapes of an M2UGen checkpoint.
/// </summary>
public sealed record LlamaConfig
{
    public int VocabSize { get; init; } = 32000;

    /// <summary>Positions the model was trained for; a session holds at most this many.</summary>
    public int ContextLength { get; init; } = 4096;
    public int EmbeddingLength { get; init; } = 4096;
    public int BlockCount { get; init; } = 32;
    public int FeedForwardLength { get; init; } = 11008;
    public int HeadCount { get; init; } = 32;

    /// <summary>Key/value heads; fewer than <see cref="HeadCount"/> is grouped-query attention.</summary>
    public int HeadCountKv { get; init; } = 32;

    /// <summary>Values per head (llama.cpp's key_length); usually embedding_length / head_count.</summary>
    public int HeadDim { get; init; } = 128;

    /// <summary>Rotated values per head (llama.cpp's rope.dimension_count), the whole head for LLaMA.</summary>
    public int RopeDimensionCount { get; init; } = 128;
    public float RopeFreqBase { get; init; } = 10000f;

    /// <summary>Linear RoPE scaling: angles times this (1 / rope_scaling.factor); 1 = none.</summary>
    public float RopeFreqScale { get; init; } = 1f;
    public float RmsNormEps { get; init; } = 1e-5f;

    /// <summary>Meta's LLaMA-2-7B (the M2UGen backbone) with its 32000-token vocabulary.</summary>
    public static LlamaConfig Llama2_7B { get; } = new();

    /// <summary>Queries per key/value head.</summary>
    public int GroupSize => HeadCount / HeadCountKv;
    public int QueryWidth => HeadCount * HeadDim;
    public int KeyValueWidth => HeadCountKv * HeadDim;

    /// <summary>Throws naming the first setting this implementation cannot run or that is inconsistent.</summary>
    public LlamaConfig Validate(string source = "LLaMA config")
    {
        void Fail(string what) => throw new ModelConfigException($"{source}: {what}");
        // limits keep every product below 2^31 elements per tensor row range and catch corrupt metadata early
        if (VocabSize is < 1 or > 1 << 22) Fail($"vocab_size {VocabSize} is outside 1..{1 << 22}");
        if (EmbeddingLength is < 1 or > 1 << 16) Fail($"embedding_length {EmbeddingLength} is outside 1..{1 << 16}");
        if (BlockCount is < 1 or > 1024) Fail($"block_count {BlockCount} is outside 1..1024");
        if (FeedForwardLength is < 1 or > 1 << 18) Fail($"feed_forward_length {FeedForwardLength} is outside 1..{1 << 18}");
        if (ContextLength is < 1 or > 1 << 20) Fail($"context_length {ContextLength} is outside 1..{1 << 20}");
        if (HeadCount is < 1 or > 1024) Fail($"head_count {HeadCount} is outside 1..1024");
        if (HeadCountKv < 1 || HeadCountKv > HeadCount || HeadCount % HeadCountKv != 0)
            Fail($"head_count_kv {HeadCountKv} must divide head_count {HeadCount} (grouped-query attention)");
        if (HeadDim is < 1 or > 1024) Fail($"head dimension {HeadDim} is outside 1..1024");
        if (RopeDimensionCount < 2 || RopeDimensionCount % 2 != 0 || RopeDimensionCount > HeadDim)
            Fail($"rope.dimension_count {RopeDimensionCount} must be even and at most the head dimension {HeadDim}");
        if (!(RopeFreqBase > 0) || !float.IsFinite(RopeFreqBase)) Fail($"rope.freq_base {RopeFreqBase} must be a positive number");
        if (!(RopeFreqScale > 0) || !float.IsFinite(RopeFreqScale)) Fail($"RoPE frequency scale {RopeFreqScale} must be a positive number");
        if (!(RmsNormEps > 0) || !float.IsFinite(RmsNormEps)) Fail($"layer_norm_rms_epsilon {RmsNormEps} must be a positive number");
        return this;
    }

    /// <summary>
    /// Reads a transformers LlamaForCausalLM config.json (model_type "llama"). Refuses what the graph does not compute:
    /// RoPE scaling other than linear, a hidden activation other than SiLU.
    /// </summary>
    public static LlamaConfig FromHuggingFaceJson(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: not valid JSON ({e.Message})"); }
        if (root is not JsonObject o) throw new ModelConfigException($"{source}: expected a JSON object");
        var type = String(o, "model_type", source);
        if (type != "llama") throw new ModelConfigException($"{source}: model_type '{type}' is not 'llama'");
        var act = String(o, "hidden_act", source) ?? "silu";
        if (act != "silu") throw new ModelConfigException($"{source}: hidden_act '{act}' is not supported (LLaMA uses silu)");
        var hidden = Int(o, "hidden_size", 4096, source);
        var heads = Int(o, "num_attention_heads", 32, source);
        if (heads < 1) throw new ModelConfigException($"{source}: num_attention_heads {heads} must be positive");
        var headDim = o["head_dim"] is null ? hidden / heads : Int(o, "head_dim", 0, source);
        return new LlamaConfig
        {
            VocabSize = Int(o, "vocab_size", 32000, source),
            ContextLength = Int(o, "max_position_embeddings", 2048, source),
            EmbeddingLength = hidden,
            BlockCount = Int(o, "num_hidden_layers", 32, source),
            FeedForwardLength = Int(o, "intermediate_size", 11008, source),
            HeadCount = heads,
            HeadCountKv = Int(o, "num_key_value_heads", heads, source),
            HeadDim = headDim,
            RopeDimensionCount = headDim,
            RopeFreqBase = (float)Double(o, "rope_theta", 10000, source),
            RopeFreqScale = RopeScale(o, source),
            RmsNormEps = (float)Double(o, "rms_norm_eps", 1e-6, source),
        }.Validate(source);
    }

    // rope_scaling: null, or {"type"|"rope_type": "linear", "factor": f}; other kinds change the angles differently
    private static float RopeScale(JsonObject o, string source)
    {
        if (o["rope_scaling"] is not JsonObject s) return 1f;
        var kind = String(s, "rope_type", source) ?? String(s, "type", source);
        if (kind is "default" or null) return 1f;
        if (kind != "linear") throw new ModelConfigException($"{source}: rope_scaling type '{kind}' is not supported (only linear)");
        var factor = Double(s, "factor", 1, source);
        if (!(factor > 0)) throw new ModelConfigException($"{source}: rope_scaling factor {factor} must be positive");
        return (float)(1 / factor);
    }
}
