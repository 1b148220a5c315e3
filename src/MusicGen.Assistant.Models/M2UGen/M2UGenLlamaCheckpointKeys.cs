using System.Globalization;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// State-dict names of M2UGen's LLaMA (M2UGen/llama/llama.py at 2c702a4, Meta's layout plus LLaMA-Adapter's bias
/// tuning, LoRA and gate) and of <c>prefix_query</c> in m2ugen.py. PyTorch shapes: <c>tok_embeddings</c> and
/// <c>output</c> [vocab, dim]; <c>attention.w{q,k,v,o}</c> [dim, dim], biases on wq and wo; <c>attention.gate</c>
/// [1, heads, 1, 1]; <c>feed_forward.w1</c>, <c>w3</c> [ff, dim], <c>w2</c> [dim, ff], all three with biases; LoRA
/// <c>lora_{p}_l1</c> [rank, in] and <c>lora_{p}_l2</c> [out, rank] per projection p; <c>prefix_query.weight</c>
/// [rows, dim].
/// </summary>
public static class M2UGenLlamaCheckpointKeys
{
    public const string Prefix = "llama.";
    public const string TokenEmbeddings = "llama.tok_embeddings.weight";
    public const string Norm = "llama.norm.weight";
    public const string Output = "llama.output.weight";
    public const string PrefixQuery = "prefix_query.weight";

    /// <summary>The seven projections (Meta's names), in the order of <see cref="Llama.LlamaKeys.Projections"/>.</summary>
    public static IReadOnlyList<string> Projections { get; } = ["wq", "wk", "wv", "wo", "w1", "w3", "w2"];

    public static string AttentionNorm(int layer) => Layer(layer, "attention_norm.weight");
    public static string FeedForwardNorm(int layer) => Layer(layer, "ffn_norm.weight");
    public static string Gate(int layer) => Layer(layer, "attention.gate");

    public static string Weight(int layer, string projection) => Module(layer, projection) + "." + projection + ".weight";
    public static string Bias(int layer, string projection) => Module(layer, projection) + "." + projection + ".bias";
    public static string LoraDown(int layer, string projection) => $"{Module(layer, projection)}.lora_{projection}_l1.weight";
    public static string LoraUp(int layer, string projection) => $"{Module(layer, projection)}.lora_{projection}_l2.weight";

    private static string Module(int layer, string projection) =>
        Layer(layer, projection.StartsWith("w", StringComparison.Ordinal) && projection.Length == 2 && char.IsDigit(projection[1]) ? "feed_forward" : "attention");

    private static string Layer(int layer, string part) => string.Create(CultureInfo.InvariantCulture, $"llama.layers.{layer}.{part}");
}
