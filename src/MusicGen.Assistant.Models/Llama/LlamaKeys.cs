using System.Globalization;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// GGUF names of the LLaMA family, declared once: llama.cpp's own (src/llama-arch.cpp, gguf-py constants.py), so
/// that files written by the llama.cpp ecosystem load here and ours load there. Layouts in ggml order (Ne[0] fastest):
/// <list type="bullet">
/// <item><c>token_embd.weight</c> {dim, vocab}; <c>output.weight</c> {dim, vocab} (absent: tied to token_embd);
/// <c>output_norm.weight</c> {dim}.</item>
/// <item>per block: <c>attn_norm</c>, <c>ffn_norm</c> {dim}; <c>attn_q</c> {dim, heads·head_dim};
/// <c>attn_k</c>, <c>attn_v</c> {dim, kv_heads·head_dim}; <c>attn_output</c> {heads·head_dim, dim};
/// <c>ffn_gate</c> (w1), <c>ffn_up</c> (w3) {dim, ff}; <c>ffn_down</c> (w2) {ff, dim}.</item>
/// <item>optional biases <c>{tensor}.bias</c> {out} (llama.cpp's optional attn/ffn biases; M2UGen's bias tuning).</item>
/// <item>optional LoRA pairs <c>{tensor}.weight.lora_a</c> {in, rank} and <c>.lora_b</c> {rank, out} (llama.cpp's
/// adapter names, here inside the model file; scale 1).</item>
/// <item>q/k rows in the order of normal (adjacent-pair) RoPE: Hugging Face rows are permuted at conversion.</item>
/// </list>
/// </summary>
public static class LlamaKeys
{
    public const string Architecture = "llama";
    public const string ArchitectureKey = "general.architecture";

    public const string VocabSize = "llama.vocab_size";
    public const string ContextLength = "llama.context_length";
    public const string EmbeddingLength = "llama.embedding_length";
    public const string BlockCount = "llama.block_count";
    public const string FeedForwardLength = "llama.feed_forward_length";
    public const string RopeDimensionCount = "llama.rope.dimension_count";
    public const string RopeFreqBase = "llama.rope.freq_base";
    public const string RopeScalingType = "llama.rope.scaling.type";
    public const string RopeScalingFactor = "llama.rope.scaling.factor";
    public const string HeadCount = "llama.attention.head_count";
    public const string HeadCountKv = "llama.attention.head_count_kv";
    public const string KeyLength = "llama.attention.key_length";
    public const string ValueLength = "llama.attention.value_length";
    public const string RmsNormEpsilon = "llama.attention.layer_norm_rms_epsilon";
    public const string ExpertCount = "llama.expert_count";

    /// <summary>The vocabulary of an embedded tokenizer (helper "tok"'s keys; its length is the vocabulary size).</summary>
    public const string TokenizerTokens = "tokenizer.ggml.tokens";

    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string Output = "output.weight";

    /// <summary>Llama 3.1-style per-pair RoPE frequency factors {rope_dims / 2}, optional.</summary>
    public const string RopeFrequencies = "rope_freqs.weight";

    // block parts (llama.cpp's LLM_TENSOR_* names without "blk.N.")
    public const string AttentionNorm = "attn_norm";
    public const string Query = "attn_q";
    public const string Key = "attn_k";
    public const string Value = "attn_v";
    public const string AttentionOutput = "attn_output";
    public const string FusedQkv = "attn_qkv";
    public const string FeedForwardNorm = "ffn_norm";
    public const string Gate = "ffn_gate";
    public const string Up = "ffn_up";
    public const string Down = "ffn_down";

    /// <summary>The seven projections of a block, in block order.</summary>
    public static IReadOnlyList<string> Projections { get; } = [Query, Key, Value, AttentionOutput, Gate, Up, Down];

    public static string Block(int layer, string part) => F($"blk.{layer}.{part}");
    public static string Weight(int layer, string part) => Block(layer, part) + ".weight";
    public static string Bias(int layer, string part) => Block(layer, part) + ".bias";
    public static string LoraA(int layer, string part) => Weight(layer, part) + ".lora_a";
    public static string LoraB(int layer, string part) => Weight(layer, part) + ".lora_b";

    /// <summary>
    /// Names of M2UGen's additions to its LLaMA (M2UGen/llama/llama.py and m2ugen.py at 2c702a4), beside llama.cpp's
    /// biases and LoRA pairs above.
    /// </summary>
    public static class M2UGen
    {
        /// <summary>Per block: the adapter gate {heads} (attention.gate [1, heads, 1, 1]); the term is tanh(gate_h)·(Wv·a)_h.</summary>
        public static string AdapterGate(int layer) => Block(layer, "adapter_gate.weight");

        /// <summary>prefix_query.weight [rows, dim] as {dim, rows}: one learned adapter row per injected layer.</summary>
        public const string PrefixQuery = "m2ugen.prefix_query.weight";

        /// <summary>"head" (3·query_layer rows: audio, image, video layer groups) or "summed" (the older layout).</summary>
        public const string AdapterLayout = "m2ugen.llama.adapter_layout";

        /// <summary>Ids of [AUD0]..[AUD7], in order (uint32 array).</summary>
        public const string AudioTokenIds = "m2ugen.llama.audio_token_ids";

        /// <summary>Whether the LoRA deltas were folded into the base weights at conversion (bool).</summary>
        public const string LoraFolded = "m2ugen.llama.lora_folded";
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
