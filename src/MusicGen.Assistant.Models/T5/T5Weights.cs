using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.T5;

/// <summary>One encoder block: pre-norm self-attention and pre-norm feed-forward (Gate only when gated).</summary>
public sealed record T5BlockWeights(
    Tensor AttentionNorm, Tensor Query, Tensor Key, Tensor Value, Tensor Output,
    Tensor FeedForwardNorm, Tensor Up, Tensor? Gate, Tensor Down);

/// <summary>
/// All T5 encoder tensors of a GGUF file (names and layouts in <see cref="T5Keys"/>), checked against the config and
/// uploaded to a backend. Owns the backend memory holding them.
/// </summary>
public sealed class T5Weights : IDisposable
{
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public T5Weights(GgufFile file, T5Config config, ComputeBackend backend)
    {
        Config = config.Validate();
        CheckHeadLayout(file, config);
        _store = WeightBinder.NewStore(file, backend, 9L * config.NumLayers + 8);
        try
        {
            var b = new WeightBinder(file, _store);
            long d = config.DModel, inner = config.InnerDim, ff = config.DFf;
            TokenEmbedding = b.Require(T5Keys.TokenEmbedding, [d, config.VocabSize], Matrices);
            RelativeAttentionBias = b.Require(T5Keys.RelativeAttentionBias, [config.NumHeads, config.RelativeAttentionNumBuckets], GgmlType.F32);
            Blocks = Enumerable.Range(0, config.NumLayers).Select(i => new T5BlockWeights(
                b.Require(T5Keys.AttentionNorm(i), [d], GgmlType.F32),
                b.Require(T5Keys.Query(i), [d, inner], Matrices),
                b.Require(T5Keys.Key(i), [d, inner], Matrices),
                b.Require(T5Keys.Value(i), [d, inner], Matrices),
                b.Require(T5Keys.Output(i), [inner, d], Matrices),
                b.Require(T5Keys.FeedForwardNorm(i), [d], GgmlType.F32),
                b.Require(T5Keys.Up(i), [d, ff], Matrices),
                config.IsGated ? b.Require(T5Keys.Gate(i), [d, ff], Matrices) : null,
                b.Require(T5Keys.Down(i), [ff, d], Matrices))).ToArray();
            FinalNorm = b.Require(T5Keys.FinalNorm, [d], GgmlType.F32);
            b.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public T5Config Config { get; }
    public Tensor TokenEmbedding { get; }
    public Tensor RelativeAttentionBias { get; }
    public IReadOnlyList<T5BlockWeights> Blocks { get; }
    public Tensor FinalNorm { get; }
    public long ResidentBytes => _store.AllocatedBytes;

    // A config whose num_heads·d_kv disagrees with the file would otherwise surface as a bare shape mismatch.
    private static void CheckHeadLayout(GgufFile file, T5Config c)
    {
        if (file.TryGetTensor(T5Keys.Query(0), out var q) && q.Ne.Length >= 2 && q.Ne[1] != c.InnerDim)
            throw new ModelConfigException($"{file.Path}: num_heads {c.NumHeads} × d_kv {c.DKv} = {c.InnerDim}, but '{T5Keys.Query(0)}' projects to {q.Ne[1]} values");
        if (file.TryGetTensor(T5Keys.RelativeAttentionBias, out var r) && r.Ne.Length >= 1 && r.Ne[0] != c.NumHeads)
            throw new ModelConfigException($"{file.Path}: num_heads is {c.NumHeads}, but '{T5Keys.RelativeAttentionBias}' holds a bias for {r.Ne[0]} heads");
    }

    public void Dispose() => _store.Dispose();
}
