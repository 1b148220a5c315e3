using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;
using K = MusicGen.Assistant.Models.MusicGenLm.MusicGenDecoderKeys;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// One pre-norm decoder block: self-attention, cross-attention and the GELU feed-forward, each behind its LayerNorm.
/// MusicGen-Melody blocks have no cross-attention (both null).
/// </summary>
public sealed record MusicGenDecoderLayerWeights(
    LayerNormWeights SelfAttentionNorm, AttentionWeights SelfAttention,
    LayerNormWeights? CrossAttentionNorm, AttentionWeights? CrossAttention,
    LayerNormWeights FeedForwardNorm, GeluFeedForward FeedForward);

/// <summary>
/// Every MusicGen decoder tensor of a GGUF file, checked against the config and uploaded to a backend, plus the
/// sinusoidal position table (computed, <see cref="SinusoidalPositions"/>). Owns the backend memory holding them.
/// </summary>
public sealed class MusicGenDecoderWeights : IDisposable
{
    private static readonly GgmlType[] Tables = [GgmlType.F32, GgmlType.F16];
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public MusicGenDecoderWeights(GgufFile file, MusicGenDecoderConfig config, ComputeBackend backend)
    {
        Config = config.Validate(file.Path);
        long d = config.HiddenSize, f = config.FfnDim;
        _store = WeightBinder.NewStore(file, backend, 2L * config.NumCodebooks + 20 * config.NumHiddenLayers + 8);
        try
        {
            var binder = new WeightBinder(file, _store);
            LayerNormWeights Norm(string prefix) => new(
                binder.Require(K.Weight(prefix), [d], GgmlType.F32), binder.Require(K.Bias(prefix), [d], GgmlType.F32), config.LayerNormEps);
            LinearWeights Linear(string name, long inputs, long outputs) => new(binder.Require(name, [inputs, outputs], Matrices));
            AttentionWeights Attention(int i, string which) => new(
                Linear(K.Projection(i, which, "q"), d, d), Linear(K.Projection(i, which, "k"), d, d),
                Linear(K.Projection(i, which, "v"), d, d), Linear(K.Projection(i, which, "output"), d, d), config.NumAttentionHeads);

            Embeddings = Enumerable.Range(0, config.NumCodebooks)
                .Select(k => binder.Require(K.TokenEmbedding(k), [d, config.EmbeddingRows], Tables)).ToArray();
            Layers = Enumerable.Range(0, config.NumHiddenLayers).Select(i => new MusicGenDecoderLayerWeights(
                Norm(K.InBlock(i, K.SelfAttentionNorm)), Attention(i, K.SelfAttention),
                config.CrossAttention ? Norm(K.InBlock(i, K.CrossAttentionNorm)) : null,
                config.CrossAttention ? Attention(i, K.CrossAttention) : null,
                Norm(K.InBlock(i, K.FeedForwardNorm)),
                new GeluFeedForward(Linear(K.Weight(K.InBlock(i, K.FeedForwardUp)), d, f), Linear(K.Weight(K.InBlock(i, K.FeedForwardDown)), f, d))))
                .ToArray();
            OutputNorm = Norm(K.OutputNorm);
            LmHeads = Enumerable.Range(0, config.NumCodebooks)
                .Select(k => binder.Require(K.LmHead(k), [d, config.VocabSize], Matrices)).ToArray();
            Positions = _store.Context.NewTensor(GgmlType.F32, d, config.MaxPositionEmbeddings).Named("musicgen.positions");
            binder.Upload();
            Positions.SetData<float>(SinusoidalPositions.Table(config.MaxPositionEmbeddings, config.HiddenSize));
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public MusicGenDecoderConfig Config { get; }

    /// <summary>Per codebook {hidden, vocab + 1}.</summary>
    public IReadOnlyList<Tensor> Embeddings { get; }
    public IReadOnlyList<MusicGenDecoderLayerWeights> Layers { get; }
    public LayerNormWeights OutputNorm { get; }

    /// <summary>Per codebook {hidden, vocab}.</summary>
    public IReadOnlyList<Tensor> LmHeads { get; }

    /// <summary>The sinusoidal table {hidden, max_position_embeddings}.</summary>
    public Tensor Positions { get; }

    public long ResidentBytes => _store.AllocatedBytes;

    /// <summary>
    /// Every matrix a decode step multiplies by, in the order the step reads them: per layer the self-attention q, k,
    /// v, out, the cross-attention q and out (its k and v act on the conditioning once per session), the FFN up and
    /// down; then the LM heads.
    /// </summary>
    public IEnumerable<Tensor> StepMatrices()
    {
        foreach (var layer in Layers)
        {
            var sa = layer.SelfAttention;
            foreach (var l in new[] { sa.Query, sa.Key, sa.Value, sa.Output }) yield return l.Weight;
            if (layer.CrossAttention is { } ca) { yield return ca.Query.Weight; yield return ca.Output.Weight; }
            yield return layer.FeedForward.Up.Weight;
            yield return layer.FeedForward.Down.Weight;
        }
        foreach (var head in LmHeads) yield return head;
    }

    /// <summary>The backend holding the weights (graphs over them run there).</summary>
    public ComputeBackend Backend => _store.Backend;

    public void Dispose() => _store.Dispose();
}
