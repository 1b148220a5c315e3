using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// Maps a Hugging Face T5 encoder state dict (under <c>text_encoder.</c> in a MusicGen checkpoint) to our T5 GGUF
/// tensors (<see cref="T5Keys"/>), plus MusicGen's <c>enc_to_dec_proj</c> when the checkpoint has one. PyTorch Linear
/// weights [out, in] are already {in, out} in ggml order, so nothing is rearranged. The token embedding is read from
/// <c>shared.weight</c>, or from the tied <c>encoder.embed_tokens.weight</c> when only that is saved.
/// </summary>
public sealed class T5CheckpointPlan : IConversionPlan
{
    private readonly T5Config _config;

    /// <param name="hfPrefix">Prefix of the T5 keys, e.g. <c>text_encoder.</c> (empty for a standalone T5).</param>
    /// <param name="projection">MusicGen's conditioning projection: its module name and output width, or null.</param>
    public T5CheckpointPlan(CheckpointReader reader, T5Config config, string hfPrefix, (string Module, int Width)? projection = null)
    {
        _config = config.Validate();
        var tensors = new List<PlannedTensor>();
        long d = config.DModel, inner = config.InnerDim, ff = config.DFf;
        void Add(string gguf, string hf, TensorRole role, long[] torchShape)
        {
            var ne = torchShape.Reverse().ToArray();
            tensors.Add(new PlannedTensor(gguf, ne, role, () => reader.Read(hf, torchShape), hf));
        }

        var embedding = $"{hfPrefix}shared.weight";
        if (!reader.Contains(embedding) && reader.Contains($"{hfPrefix}encoder.embed_tokens.weight")) embedding = $"{hfPrefix}encoder.embed_tokens.weight";
        Add(T5Keys.TokenEmbedding, embedding, TensorRole.Matrix, [config.VocabSize, d]);
        var block0 = $"{hfPrefix}encoder.block.0.layer.0.SelfAttention";
        Add(T5Keys.RelativeAttentionBias, $"{block0}.relative_attention_bias.weight", TensorRole.Exact, [config.RelativeAttentionNumBuckets, config.NumHeads]);
        for (var i = 0; i < config.NumLayers; i++)
        {
            var attention = $"{hfPrefix}encoder.block.{i}.layer.0";
            var feedForward = $"{hfPrefix}encoder.block.{i}.layer.1";
            var dense = $"{feedForward}.DenseReluDense";
            Add(T5Keys.AttentionNorm(i), $"{attention}.layer_norm.weight", TensorRole.Exact, [d]);
            Add(T5Keys.Query(i), $"{attention}.SelfAttention.q.weight", TensorRole.Matrix, [inner, d]);
            Add(T5Keys.Key(i), $"{attention}.SelfAttention.k.weight", TensorRole.Matrix, [inner, d]);
            Add(T5Keys.Value(i), $"{attention}.SelfAttention.v.weight", TensorRole.Matrix, [inner, d]);
            Add(T5Keys.Output(i), $"{attention}.SelfAttention.o.weight", TensorRole.Matrix, [d, inner]);
            Add(T5Keys.FeedForwardNorm(i), $"{feedForward}.layer_norm.weight", TensorRole.Exact, [d]);
            if (config.IsGated)
            {
                Add(T5Keys.Gate(i), $"{dense}.wi_0.weight", TensorRole.Matrix, [ff, d]);
                Add(T5Keys.Up(i), $"{dense}.wi_1.weight", TensorRole.Matrix, [ff, d]);
            }
            else Add(T5Keys.Up(i), $"{dense}.wi.weight", TensorRole.Matrix, [ff, d]);
            Add(T5Keys.Down(i), $"{dense}.wo.weight", TensorRole.Matrix, [d, ff]);
        }
        Add(T5Keys.FinalNorm, $"{hfPrefix}encoder.final_layer_norm.weight", TensorRole.Exact, [d]);
        if (projection is { } p)
        {
            Add(T5Keys.ProjectionWeight, $"{p.Module}.weight", TensorRole.Matrix, [p.Width, d]);
            Add(T5Keys.ProjectionBias, $"{p.Module}.bias", TensorRole.Exact, [p.Width]);
        }
        Tensors = tensors;
    }

    /// <summary>
    /// The text encoder of a MusicGen (or MusicGen-Melody) checkpoint: the <c>text_encoder</c> config, and
    /// <c>enc_to_dec_proj</c> when it is saved (transformers creates it only when d_model differs from the decoder's
    /// hidden_size and no cross_attention_hidden_size is set; a checkpoint that needs it but lacks it is refused).
    /// </summary>
    public static T5CheckpointPlan ForMusicGen(CheckpointReader reader, string configJson, string configPath)
    {
        var config = T5Config.FromHuggingFaceJson(configJson, configPath);
        var decoder = HfConfigJson.Object(HfConfigJson.ParseObject(configJson, configPath), "decoder", configPath)
                      ?? throw new ModelConfigException($"{configPath}: no 'decoder' section (needed for the text projection's width)");
        var width = HfConfigJson.Int(decoder, "hidden_size", 1024, configPath); // MusicgenDecoderConfig's default
        const string module = "enc_to_dec_proj";
        if (reader.Contains($"{module}.weight"))
            return new T5CheckpointPlan(reader, config, "text_encoder.", (module, width));
        if (config.DModel != width && decoder["cross_attention_hidden_size"] is null)
            throw new ModelWeightsException($"{reader.Source}: missing tensor '{module}.weight' (text_encoder d_model {config.DModel} differs from the decoder hidden_size {width}, so MusicGen projects between them)");
        return new T5CheckpointPlan(reader, config, "text_encoder.");
    }

    public string Architecture => T5Keys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => T5Metadata.Write(writer, _config);
}
