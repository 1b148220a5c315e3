using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Maps the decoder of a Hugging Face MusicGen checkpoint (<c>decoder.model.decoder.*</c>, <c>decoder.lm_heads.*</c>)
/// to our GGUF names (<see cref="MusicGenDecoderKeys"/>); for MusicGen-Melody also its chroma projection
/// (<c>audio_enc_to_dec_proj</c>), and no cross-attention. PyTorch Linear weights [out, in] are already {in, out} in
/// ggml order, so every tensor is copied as it is, after its shape is checked against the config. The saved
/// sinusoidal table (<c>embed_positions.weights</c>) is not converted: it is recomputed at load time.
/// </summary>
public sealed class MusicGenDecoderCheckpointPlan : IConversionPlan
{
    private const string Hf = "decoder.model.decoder.";
    private readonly MusicGenDecoderConfig _config;

    public MusicGenDecoderCheckpointPlan(CheckpointReader reader, MusicGenDecoderConfig config)
    {
        _config = config.Validate();
        long d = config.HiddenSize, f = config.FfnDim, rows = config.EmbeddingRows, v = config.VocabSize;
        var tensors = new List<PlannedTensor>();
        void Add(string name, long[] ne, TensorRole role, string hf, params long[] torchShape) =>
            tensors.Add(new PlannedTensor(name, ne, role, () => reader.Read(hf, torchShape), hf));
        void Norm(string gguf, string hf)
        {
            Add(MusicGenDecoderKeys.Weight(gguf), [d], TensorRole.Exact, $"{hf}.weight", d);
            Add(MusicGenDecoderKeys.Bias(gguf), [d], TensorRole.Exact, $"{hf}.bias", d);
        }
        void Attention(int layer, string gguf, string hf)
        {
            foreach (var (which, proj) in new[] { ("q", "q_proj"), ("k", "k_proj"), ("v", "v_proj"), ("output", "out_proj") })
                Add(MusicGenDecoderKeys.Projection(layer, gguf, which), [d, d], TensorRole.Matrix, $"{Hf}layers.{layer}.{hf}.{proj}.weight", d, d);
        }

        for (var k = 0; k < config.NumCodebooks; k++)
            Add(MusicGenDecoderKeys.TokenEmbedding(k), [d, rows], TensorRole.Exact, $"{Hf}embed_tokens.{k}.weight", rows, d);
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var hf = $"{Hf}layers.{i}.";
            Norm(MusicGenDecoderKeys.InBlock(i, MusicGenDecoderKeys.SelfAttentionNorm), hf + "self_attn_layer_norm");
            Attention(i, MusicGenDecoderKeys.SelfAttention, "self_attn");
            if (config.CrossAttention)
            {
                Norm(MusicGenDecoderKeys.InBlock(i, MusicGenDecoderKeys.CrossAttentionNorm), hf + "encoder_attn_layer_norm");
                Attention(i, MusicGenDecoderKeys.CrossAttention, "encoder_attn");
            }
            Norm(MusicGenDecoderKeys.InBlock(i, MusicGenDecoderKeys.FeedForwardNorm), hf + "final_layer_norm");
            Add(MusicGenDecoderKeys.Weight(MusicGenDecoderKeys.InBlock(i, MusicGenDecoderKeys.FeedForwardUp)), [d, f], TensorRole.Matrix, hf + "fc1.weight", f, d);
            Add(MusicGenDecoderKeys.Weight(MusicGenDecoderKeys.InBlock(i, MusicGenDecoderKeys.FeedForwardDown)), [f, d], TensorRole.Matrix, hf + "fc2.weight", d, f);
        }
        Norm(MusicGenDecoderKeys.OutputNorm, Hf + "layer_norm");
        for (var k = 0; k < config.NumCodebooks; k++)
            Add(MusicGenDecoderKeys.LmHead(k), [d, v], TensorRole.Matrix, $"decoder.lm_heads.{k}.weight", v, d);
        if (config.IsMelody)
        {
            // tiny (num_chroma x hidden) and applied on the host: kept f32 whatever the storage type
            long c = config.NumChroma;
            Add(MusicGenDecoderKeys.Weight(MusicGenDecoderKeys.ChromaProjection), [c, d], TensorRole.Exact, "audio_enc_to_dec_proj.weight", d, c);
            Add(MusicGenDecoderKeys.Bias(MusicGenDecoderKeys.ChromaProjection), [d], TensorRole.Exact, "audio_enc_to_dec_proj.bias", d);
        }
        Tensors = tensors;
    }

    public string Architecture => MusicGenDecoderKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => MusicGenDecoderMetadata.Write(writer, _config);
}
