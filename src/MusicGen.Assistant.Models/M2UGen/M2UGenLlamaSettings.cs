using System.Text.Json;
using System.Text.Json.Nodes;
using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// What an M2UGen checkpoint does not say about its LLaMA (sizes come from the tensor shapes): the values M2UGen's
/// code fixes (llama.py ModelArgs: norm_eps 1e-5, RoPE theta 10000; m2ugen.py: max_seq_len 1024, 8 [AUD] tokens), or
/// those of an M2UGen config.json's "llama" object (the m2ugen-tiny fixture's), plus conversion choices.
/// </summary>
public sealed record M2UGenLlamaSettings
{
    public float NormEps { get; init; } = 1e-5f;
    public float RopeTheta { get; init; } = 10000f;

    /// <summary>ModelArgs.max_seq_len at inference: generate() bounds prompt + reply by it.</summary>
    public int ContextLength { get; init; } = 1024;

    /// <summary>[AUD0]..[AUD7]: added after the base vocabulary, so the last rows of tok_embeddings / output.</summary>
    public int AudioTokens { get; init; } = 8;

    /// <summary>Heads, when the checkpoint has no attention.gate to read them from ([1, heads, 1, 1]).</summary>
    public int? Heads { get; init; }

    /// <summary>Forces the adapter layout instead of reading it from prefix_query's shape.</summary>
    public AdapterLayout? Layout { get; init; }

    /// <summary>
    /// Fold the LoRA deltas into the base weights (W + l2·l1, exact at M2UGen's scale 1) instead of keeping them as
    /// separate low-rank products. Fine for inference, also before quantizing: a trained rank-16 delta is small next to
    /// W, so W + ΔW quantizes with the same relative error as W (the folded f32 model matches the unfolded one within
    /// float rounding). Not for training, which needs the pairs apart (issue 12). The v projection of injected layers
    /// keeps its pair apart even so: the gated adapter term multiplies by the base Wv alone.
    /// </summary>
    public bool FoldLora { get; init; }

    public static M2UGenLlamaSettings Default { get; } = new();

    /// <summary>Reads the "llama" object of an M2UGen config.json (norm_eps, rope_theta, max_seq_len, n_heads, num_gen_audio_tokens).</summary>
    public static M2UGenLlamaSettings FromConfigJson(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: not valid JSON ({e.Message})"); }
        if (root is not JsonObject o) throw new ModelConfigException($"{source}: expected a JSON object");
        if (o["llama"] is not JsonObject l) return Default;
        var d = Default;
        var layout = o["adapters"] is JsonObject a ? String(a, "layout", source) : null;
        return new M2UGenLlamaSettings
        {
            NormEps = (float)Double(l, "norm_eps", d.NormEps, source),
            RopeTheta = (float)Double(l, "rope_theta", d.RopeTheta, source),
            ContextLength = Int(l, "max_seq_len", d.ContextLength, source),
            AudioTokens = Int(l, "num_gen_audio_tokens", d.AudioTokens, source),
            Heads = l["n_heads"] is null ? null : Int(l, "n_heads", 0, source),
            Layout = layout is null ? null : AdapterInjection.Parse(layout),
        };
    }
}
