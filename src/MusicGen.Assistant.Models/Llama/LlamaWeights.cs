using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>One pre-norm block: RMSNorm → attention, RMSNorm → SwiGLU.</summary>
public sealed record LlamaLayerWeights(RmsNormWeights AttentionNorm, RotarySelfAttention Attention, RmsNormWeights FeedForwardNorm, SwiGluFeedForward FeedForward);

/// <summary>
/// Every LLaMA tensor of a GGUF file (<see cref="LlamaKeys"/>), checked against the config (shape) and against what
/// ggml computes (type) before any backend memory is allocated, then uploaded once. Optional tensors are bound when
/// present: biases, LoRA pairs, the untied output head, RoPE frequency factors. Owns the backend memory.
/// </summary>
public sealed class LlamaWeights : IDisposable
{
    private static readonly GgmlType[] Vectors = [GgmlType.F32];

    private readonly TensorStore _store;

    /// <param name="repackMatrices">
    /// Whether the block and head matrices may be kept repacked for the CPU's kernels where ggml repacks their type
    /// (<see cref="CpuRepack"/>: q4_0 on AVX2 CPUs, as llama.cpp keeps them); off, every weight keeps the file's layout.
    /// </param>
    public LlamaWeights(GgufFile file, LlamaConfig config, ComputeBackend backend, bool repackMatrices = true)
    {
        Config = config.Validate(file.Path);
        if (file.ContainsTensor(K.Weight(0, K.FusedQkv)))
            throw new ModelWeightsException($"{file.Path}: fused '{K.Weight(0, K.FusedQkv)}' projections are not supported; convert the model with separate attn_q / attn_k / attn_v");
        long d = config.EmbeddingLength, f = config.FeedForwardLength, qw = config.QueryWidth, kvw = config.KeyValueWidth, vocab = config.VocabSize;
        _store = new TensorStore(backend, 32 * config.BlockCount + 8, repackMatrices);
        try
        {
            var binder = new WeightBinder(file, _store);
            // every matrix but the embedding table (gathered by token) is only ever a product's weight: repackable
            Tensor Matrix(string name, long inputs, long outputs)
            {
                if (file.TryGetTensor(name, out var info)) ComputableTypes.RequireMatrix(file.Path, name, info.Type);
                return binder.RequireMatrix(name, [inputs, outputs]);
            }
            Tensor? Optional(string name, long[] ne, bool matrix)
            {
                if (!file.ContainsTensor(name)) return null;
                return matrix ? Matrix(name, ne[0], ne[1]) : binder.Require(name, ne, Vectors);
            }
            RmsNormWeights Norm(string name) => new(binder.Require(name, [d], Vectors), config.RmsNormEps);
            AdaptedLinear Linear(int layer, string part, long inputs, long outputs)
            {
                var bias = Optional(K.Bias(layer, part), [outputs], matrix: false);
                LowRankDelta? lora = null;
                if (file.TryGetTensor(K.LoraA(layer, part), out var la))
                {
                    var rank = la.Ne.Length == 2 ? la.Ne[1] : 0;
                    if (rank < 1) throw new ModelWeightsException($"{file.Path}: LoRA '{K.LoraA(layer, part)}' has shape [{string.Join(", ", la.Ne)}], expected [{inputs}, rank]");
                    lora = new LowRankDelta(Matrix(K.LoraA(layer, part), inputs, rank), Matrix(K.LoraB(layer, part), rank, outputs));
                }
                else if (file.ContainsTensor(K.LoraB(layer, part)))
                    throw new ModelWeightsException($"{file.Path}: '{K.LoraB(layer, part)}' has no '{K.LoraA(layer, part)}'");
                return new AdaptedLinear(new LinearWeights(Matrix(K.Weight(layer, part), inputs, outputs), bias), lora);
            }

            if (file.TryGetTensor(K.TokenEmbedding, out var embd)) ComputableTypes.RequireMatrix(file.Path, K.TokenEmbedding, embd.Type);
            TokenEmbedding = binder.Require(K.TokenEmbedding, [d, vocab]);
            Layers = Enumerable.Range(0, config.BlockCount).Select(i => new LlamaLayerWeights(
                Norm(K.Weight(i, K.AttentionNorm)),
                new RotarySelfAttention(Linear(i, K.Query, d, qw), Linear(i, K.Key, d, kvw), Linear(i, K.Value, d, kvw),
                    Linear(i, K.AttentionOutput, qw, d), config.HeadCount, config.HeadCountKv, config.HeadDim),
                Norm(K.Weight(i, K.FeedForwardNorm)),
                new SwiGluFeedForward(Linear(i, K.Gate, d, f), Linear(i, K.Up, d, f), Linear(i, K.Down, f, d)))).ToArray();
            OutputNorm = Norm(K.OutputNorm);
            var output = Optional(K.Output, [d, vocab], matrix: true);
            OutputTied = output is null;
            Output = output ?? TokenEmbedding;
            var factors = Optional(K.RopeFrequencies, [config.RopeDimensionCount / 2], matrix: false);
            Rotary = new RotaryEmbedding(config.RopeDimensionCount, RopeMode.Normal, config.RopeFreqBase, config.RopeFreqScale, factors);
            binder.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public LlamaConfig Config { get; }

    /// <summary>{dim, vocab}: row t is token t's embedding.</summary>
    public Tensor TokenEmbedding { get; }
    public IReadOnlyList<LlamaLayerWeights> Layers { get; }
    public RmsNormWeights OutputNorm { get; }

    /// <summary>The LM head {dim, vocab}; the token embedding itself when the file has no <c>output.weight</c>.</summary>
    public Tensor Output { get; }
    public bool OutputTied { get; }

    /// <summary>RoPE of every block: normal (adjacent-pair) mode, as llama.cpp runs LLAMA.</summary>
    public RotaryEmbedding Rotary { get; }

    /// <summary>Whether any projection carries a LoRA pair (kept apart from its base weight).</summary>
    public bool HasLora => Layers.Any(l => Projections(l).Any(p => p.Lora is not null));

    public long ResidentBytes => _store.AllocatedBytes;

    /// <summary>Bytes of the matrices kept repacked for the CPU's kernels (part of <see cref="ResidentBytes"/>).</summary>
    public long RepackedBytes => _store.RepackedBytes;
    public ComputeBackend Backend => _store.Backend;

    /// <summary>The seven projections of a block, in <see cref="LlamaKeys.Projections"/> order.</summary>
    public static IReadOnlyList<AdaptedLinear> Projections(LlamaLayerWeights l) =>
        [l.Attention.Query, l.Attention.Key, l.Attention.Value, l.Attention.Output, l.FeedForward.Gate, l.FeedForward.Up, l.FeedForward.Down];

    public void Dispose() => _store.Dispose();
}
