using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>The order of the q/k rows of each head in a checkpoint, which decides how RoPE must pair them.</summary>
public enum QueryKeyLayout
{
    /// <summary>
    /// Hugging Face LlamaForCausalLM: Meta's rows were permuted at conversion so that rotate_half (halves) equals
    /// Meta's adjacent-pair rotation; converting back to adjacent pairs undoes that permutation.
    /// </summary>
    HuggingFace,

    /// <summary>Meta's consolidated layout (also M2UGen's): rows already in adjacent-pair order, copied as they are.</summary>
    Meta,
}

/// <summary>
/// Maps a Hugging Face LlamaForCausalLM checkpoint (config.json + safetensors) to llama.cpp's GGUF names and metadata
/// (<see cref="LlamaKeys"/>): Linear weights [out, in] are {in, out} in ggml order as they are; q and k rows (and
/// their biases) are put back in Meta's adjacent-pair order (<see cref="UnpermuteRotaryRows"/>) so the graph runs
/// RoPE in ggml's normal mode, as llama.cpp's convert_hf_to_gguf.py does; a tied head writes no output.weight. The
/// Hugging Face folder is kept (<see cref="HuggingFaceDirectory"/>) so the tokenizer's plan can add its
/// tokenizer.ggml.* metadata beside this one.
/// </summary>
public sealed class LlamaCheckpointPlan : IConversionPlan
{
    private const string Hf = "model.";

    public LlamaCheckpointPlan(CheckpointReader reader, LlamaConfig config, QueryKeyLayout layout = QueryKeyLayout.HuggingFace,
        bool tiedOutput = false, bool attentionBias = false, bool mlpBias = false, string? huggingFaceDirectory = null)
    {
        Config = config.Validate(reader.Source);
        Layout = layout;
        HuggingFaceDirectory = huggingFaceDirectory;
        long d = config.EmbeddingLength, f = config.FeedForwardLength, qw = config.QueryWidth, kvw = config.KeyValueWidth, v = config.VocabSize;
        var tensors = new List<PlannedTensor>();
        void Add(string gguf, long[] ne, TensorRole role, string hf, long[] torchShape, Func<float[], float[]>? transform = null) =>
            tensors.Add(new PlannedTensor(gguf, ne, role, () =>
            {
                var values = reader.Read(hf, torchShape);
                return transform is null ? values : transform(values);
            }, hf));
        Func<float[], float[]>? Rotary(int heads) =>
            layout == QueryKeyLayout.HuggingFace ? w => UnpermuteRotaryRows(w, heads, config.HeadDim) : null;

        // the embedding is a lookup table, read by get_rows: quantizable like llama.cpp's, as it is the largest tensor
        Add(K.TokenEmbedding, [d, v], TensorRole.Matrix, Hf + "embed_tokens.weight", [v, d]);
        for (var i = 0; i < config.BlockCount; i++)
        {
            var p = $"{Hf}layers.{i}.";
            Add(K.Weight(i, K.AttentionNorm), [d], TensorRole.Exact, p + "input_layernorm.weight", [d]);
            Add(K.Weight(i, K.Query), [d, qw], TensorRole.Matrix, p + "self_attn.q_proj.weight", [qw, d], Rotary(config.HeadCount));
            Add(K.Weight(i, K.Key), [d, kvw], TensorRole.Matrix, p + "self_attn.k_proj.weight", [kvw, d], Rotary(config.HeadCountKv));
            Add(K.Weight(i, K.Value), [d, kvw], TensorRole.Matrix, p + "self_attn.v_proj.weight", [kvw, d]);
            Add(K.Weight(i, K.AttentionOutput), [qw, d], TensorRole.Matrix, p + "self_attn.o_proj.weight", [d, qw]);
            if (attentionBias)
            {
                Add(K.Bias(i, K.Query), [qw], TensorRole.Exact, p + "self_attn.q_proj.bias", [qw], Rotary(config.HeadCount));
                Add(K.Bias(i, K.Key), [kvw], TensorRole.Exact, p + "self_attn.k_proj.bias", [kvw], Rotary(config.HeadCountKv));
                Add(K.Bias(i, K.Value), [kvw], TensorRole.Exact, p + "self_attn.v_proj.bias", [kvw]);
                Add(K.Bias(i, K.AttentionOutput), [d], TensorRole.Exact, p + "self_attn.o_proj.bias", [d]);
            }
            Add(K.Weight(i, K.FeedForwardNorm), [d], TensorRole.Exact, p + "post_attention_layernorm.weight", [d]);
            Add(K.Weight(i, K.Gate), [d, f], TensorRole.Matrix, p + "mlp.gate_proj.weight", [f, d]);
            Add(K.Weight(i, K.Up), [d, f], TensorRole.Matrix, p + "mlp.up_proj.weight", [f, d]);
            Add(K.Weight(i, K.Down), [f, d], TensorRole.Matrix, p + "mlp.down_proj.weight", [d, f]);
            if (mlpBias)
            {
                Add(K.Bias(i, K.Gate), [f], TensorRole.Exact, p + "mlp.gate_proj.bias", [f]);
                Add(K.Bias(i, K.Up), [f], TensorRole.Exact, p + "mlp.up_proj.bias", [f]);
                Add(K.Bias(i, K.Down), [d], TensorRole.Exact, p + "mlp.down_proj.bias", [d]);
            }
        }
        Add(K.OutputNorm, [d], TensorRole.Exact, Hf + "norm.weight", [d]);
        if (!tiedOutput) Add(K.Output, [d, v], TensorRole.Matrix, "lm_head.weight", [v, d]);
        Tensors = tensors;
    }

    /// <summary>The plan of a Hugging Face llama folder: its config.json decides sizes, tying and biases.</summary>
    public static LlamaCheckpointPlan FromHuggingFace(CheckpointReader reader, string configJson, string configPath, string? directory = null)
    {
        var config = LlamaConfig.FromHuggingFaceJson(configJson, configPath);
        var o = (JsonObject)JsonNode.Parse(configJson)!;
        var tied = HfConfigJson.Bool(o, "tie_word_embeddings", false, configPath);
        // some tied checkpoints still store lm_head.weight (a copy): then keep it, as it is what the model computes with
        if (tied && reader.Contains("lm_head.weight")) tied = false;
        return new LlamaCheckpointPlan(reader, config, QueryKeyLayout.HuggingFace, tied,
            HfConfigJson.Bool(o, "attention_bias", false, configPath), HfConfigJson.Bool(o, "mlp_bias", false, configPath),
            directory ?? Path.GetDirectoryName(Path.GetFullPath(configPath)));
    }

    public LlamaConfig Config { get; }
    public QueryKeyLayout Layout { get; }

    /// <summary>The Hugging Face folder converted (for the tokenizer's metadata: tokenizer.model / tokenizer.json there).</summary>
    public string? HuggingFaceDirectory { get; }

    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => LlamaMetadata.Write(writer, Config);

    /// <summary>
    /// Undoes the row permutation Hugging Face's convert_llama_weights_to_hf.py applied to q and k: within each head,
    /// HF row r·(d/2) + j (half r of pair j) goes back to Meta row 2j + r. <paramref name="rows"/> holds heads·head_dim
    /// rows of any width (a weight [rows, in] or a bias [rows]).
    /// </summary>
    public static float[] UnpermuteRotaryRows(float[] rows, int heads, int headDim)
    {
        if (headDim % 2 != 0) throw new ModelConfigException($"head dimension {headDim} is odd: RoPE needs pairs");
        var count = heads * headDim;
        if (rows.Length % count != 0) throw new ArgumentException($"{rows.Length} values are not {count} rows", nameof(rows));
        var width = rows.Length / count;
        var result = new float[rows.Length];
        var half = headDim / 2;
        for (var h = 0; h < heads; h++)
            for (var r = 0; r < 2; r++)
                for (var j = 0; j < half; j++)
                    Array.Copy(rows, (long)(h * headDim + r * half + j) * width, result, (long)(h * headDim + 2 * j + r) * width, width);
        return result;
    }
}
