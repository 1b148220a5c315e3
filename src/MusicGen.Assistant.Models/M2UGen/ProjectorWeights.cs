using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;
using K = MusicGen.Assistant.Models.M2UGen.ProjectorKeys;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>One post-LN nn.TransformerEncoderLayer: self-attention, norm1, feed-forward, norm2.</summary>
public sealed record ProjectorEncoderBlockWeights(
    AttentionWeights SelfAttention, LayerNormWeights AttentionNorm, ReluFeedForward FeedForward, LayerNormWeights FeedForwardNorm);

/// <summary>One post-LN nn.TransformerDecoderLayer: self-attention, norm1, cross-attention, norm2, feed-forward, norm3.</summary>
public sealed record ProjectorDecoderBlockWeights(
    AttentionWeights SelfAttention, LayerNormWeights AttentionNorm,
    AttentionWeights CrossAttention, LayerNormWeights CrossNorm,
    ReluFeedForward FeedForward, LayerNormWeights FeedForwardNorm);

/// <summary>
/// Every tensor of the output projector in a GGUF file (names and layouts in <see cref="ProjectorKeys"/>), checked
/// against the config and uploaded to a backend. Owns the backend memory holding them.
/// </summary>
public sealed class ProjectorWeights : IDisposable
{
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public ProjectorWeights(GgufFile file, ProjectorConfig config, ComputeBackend backend)
    {
        Config = config.Validate();
        _store = new TensorStore(backend, 26 * config.EncoderLayers + 40 * config.DecoderLayers + 16);
        try
        {
            var b = new WeightBinder(file, _store);
            long d = config.DModel, f = config.FeedForwardDim;
            var eps = (float)config.LayerNormEps;
            Tensor Vector(string name, long n) => b.Require(name, [n], GgmlType.F32);
            LinearWeights Linear(string module, long inputs, long outputs) =>
                new(b.Require(module + ".weight", [inputs, outputs], Matrices), Vector(module + ".bias", outputs));
            LayerNormWeights Norm(string module) => new(Vector(module + ".weight", d), Vector(module + ".bias", d), eps);
            AttentionWeights Attention(Func<string, string> block, string q, string k, string v, string o) =>
                new(Linear(block(q), d, d), Linear(block(k), d, d), Linear(block(v), d, d), Linear(block(o), d, d), config.Heads);
            ReluFeedForward FeedForward(Func<string, string> block) =>
                new(Linear(block(K.FeedForwardUp), d, f), Linear(block(K.FeedForwardDown), f, d));

            Fc = Linear(K.Fc, config.InDim, d);
            Encoder = Enumerable.Range(0, config.EncoderLayers).Select(i =>
            {
                string B(string module) => K.EncoderBlock(i, module);
                return new ProjectorEncoderBlockWeights(
                    Attention(B, K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput), Norm(B(K.AttentionNorm)),
                    FeedForward(B), Norm(B(K.FeedForwardNorm)));
            }).ToArray();
            EncoderNorm = Norm(K.EncoderNorm);
            Decoder = Enumerable.Range(0, config.DecoderLayers).Select(i =>
            {
                string B(string module) => K.DecoderBlock(i, module);
                return new ProjectorDecoderBlockWeights(
                    Attention(B, K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput), Norm(B(K.AttentionNorm)),
                    Attention(B, K.CrossQuery, K.CrossKey, K.CrossValue, K.CrossOutput), Norm(B(K.CrossNorm)),
                    FeedForward(B), Norm(B(K.FeedForwardNorm)));
            }).ToArray();
            DecoderNorm = Norm(K.DecoderNorm);
            QueryEmbeddings = b.Require(K.QueryEmbeddings, [d, config.OutputTokens], GgmlType.F32);
            Output = Linear(K.Output, d, config.OutDim);
            b.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public ProjectorConfig Config { get; }

    /// <summary>fc: Linear(in_dim, d_model).</summary>
    public LinearWeights Fc { get; }

    public IReadOnlyList<ProjectorEncoderBlockWeights> Encoder { get; }
    public LayerNormWeights EncoderNorm { get; }
    public IReadOnlyList<ProjectorDecoderBlockWeights> Decoder { get; }
    public LayerNormWeights DecoderNorm { get; }

    /// <summary>The learned decoder input {d_model, num_output_tokens}.</summary>
    public Tensor QueryEmbeddings { get; }

    /// <summary>model: Linear(d_model, out_dim).</summary>
    public LinearWeights Output { get; }

    public long ResidentBytes => _store.AllocatedBytes;

    public void Dispose() => _store.Dispose();
}
