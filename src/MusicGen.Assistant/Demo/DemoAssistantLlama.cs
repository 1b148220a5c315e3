using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Text;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The embedded assistant's LLaMA: M2UGen's LLaMA layout (HEAD adapter injection, gates, prefix rows, [AUD0..7] as the
/// last vocabulary rows, the tokenizer embedded) with weights arranged, not trained, so that a reply has the form of
/// an M2UGen answer. The residual stream carries the token embedding: each token of <see cref="DemoReply.Chain"/>
/// owns one axis of the embedding space (√dim on it, so its RMS is 1), and every block adds only a small random term
/// (its output projections are scaled by <see cref="BlockOutputScale"/>). The output head is the chain's bigram table:
/// the row of chain token i+1 is <see cref="BigramLogit"/>/√dim on axis i, so after the final RMSNorm the next chain
/// token leads by about that many logits, far beyond what temperature 0.6 / top-p 0.8 sampling or an attachment's
/// gated adapter term can change. Every other row and weight is random (the fixtures' init), so the rest of the
/// vocabulary, the attention and the adapter gates all compute for real.
/// </summary>
public sealed class DemoAssistantLlama : IConversionPlan
{
    public const float BigramLogit = 16f;
    public const double BlockOutputScale = 0.05;

    /// <summary>How far the newline trails [AUD0] after the last word (see <see cref="OutputHead"/>).</summary>
    public const float RunnerUpMargin = 8f;

    private readonly LlamaTokenizer _tokenizer;

    public DemoAssistantLlama(LlamaTokenizer tokenizer, int seed)
    {
        _tokenizer = tokenizer;
        var chain = DemoReply.Chain.Select(p => tokenizer.FindToken(p)
            ?? throw new InvalidOperationException($"the demo tokenizer has no piece '{p}'")).ToArray();
        int d = 64, v = tokenizer.VocabSize;
        if (chain.Length > d) throw new InvalidOperationException($"{chain.Length} chain tokens need as many embedding axes; the width is {d}");
        Config = new LlamaConfig
        {
            VocabSize = v, ContextLength = 1024, EmbeddingLength = d, BlockCount = 4, FeedForwardLength = 128,
            HeadCount = 4, HeadCountKv = 4, HeadDim = 16, RopeDimensionCount = 16, RmsNormEps = 1e-5f,
        }.Validate("demo assistant LLaMA");
        Injection = AdapterInjection.FromPrefixRows(3, Config.BlockCount, AdapterLayout.Head); // layers 1, 2, 3: music, image, video
        AudioTokenIds = DemoReply.AudioTokens.Select(t => tokenizer.FindToken(t)!.Value).ToArray();
        var axis = new Dictionary<int, int>();
        for (var i = 0; i < chain.Length; i++) axis[chain[i]] = i;

        var random = new RandomTensors(seed);
        var tensors = new List<PlannedTensor>();
        void Linear(string name, long inputs, long outputs, double scale = 1) =>
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => scale * RandomTensors.Normal(r) / Math.Sqrt(inputs));
        void Norm(string name) => random.Add(name, [d], TensorRole.Exact, r => 1 + 0.1 * RandomTensors.Normal(r));

        for (var i = 0; i < Config.BlockCount; i++)
        {
            Norm(K.Weight(i, K.AttentionNorm));
            Linear(K.Weight(i, K.Query), d, d);
            Linear(K.Weight(i, K.Key), d, d);
            Linear(K.Weight(i, K.Value), d, d);
            Linear(K.Weight(i, K.AttentionOutput), d, d, BlockOutputScale);
            Norm(K.Weight(i, K.FeedForwardNorm));
            Linear(K.Weight(i, K.Gate), d, Config.FeedForwardLength);
            Linear(K.Weight(i, K.Up), d, Config.FeedForwardLength);
            Linear(K.Weight(i, K.Down), Config.FeedForwardLength, d, BlockOutputScale);
            if (Injection.Injects(i)) random.Add(K.M2UGen.AdapterGate(i), [Config.HeadCount], TensorRole.Exact, r => 0.5 * RandomTensors.Normal(r));
        }
        random.Add(K.M2UGen.PrefixQuery, [d, Injection.PrefixRows], TensorRole.Exact, r => 0.5 * RandomTensors.Normal(r));
        tensors.AddRange(random.Tensors);

        var embeddingSeed = seed + 1;
        tensors.Add(new PlannedTensor(K.TokenEmbedding, [d, v], TensorRole.Matrix, () => Embeddings(v, d, axis, embeddingSeed), "designed: chain axes + random rest"));
        tensors.Add(new PlannedTensor(K.OutputNorm, [d], TensorRole.Exact, () => Enumerable.Repeat(1f, d).ToArray(), "designed: ones"));
        var outputSeed = seed + 2;
        tensors.Add(new PlannedTensor(K.Output, [d, v], TensorRole.Matrix, () => OutputHead(v, d, chain, axis.Count, outputSeed), "designed: chain bigram table + random rest"));
        Tensors = tensors;
    }

    public LlamaConfig Config { get; }
    public AdapterInjection Injection { get; }
    public IReadOnlyList<int> AudioTokenIds { get; }
    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        LlamaMetadata.Write(writer, Config);
        writer.SetMetadata("general.name", "demo assistant LLaMA (UNTRAINED: arranged bigram reply)");
        writer.SetMetadata(K.M2UGen.AdapterLayout, AdapterInjection.Name(Injection.Layout));
        writer.SetMetadata(K.M2UGen.AudioTokenIds, GgufArray.Of(AudioTokenIds.Select(i => (uint)i).ToArray()));
        writer.SetMetadata(K.M2UGen.LoraFolded, false);
        TokenizerGgufWriter.AddTo(writer, _tokenizer, Config.VocabSize);
    }

    // rows [vocab][dim]: a chain token on its own axis, any other token random on the axes no chain token uses
    private static float[] Embeddings(int vocab, int dim, Dictionary<int, int> axis, int seed)
    {
        var values = new float[(long)vocab * dim];
        var rng = new Random(seed);
        var scale = (float)Math.Sqrt(dim);
        for (var t = 0; t < vocab; t++)
        {
            if (axis.TryGetValue(t, out var a)) { values[t * dim + a] = scale; continue; }
            for (var j = axis.Count; j < dim; j++) values[t * dim + j] = (float)RandomTensors.Normal(rng) * scale / (float)Math.Sqrt(dim - axis.Count);
        }
        return values;
    }

    // rows [vocab][dim]: chain token i+1 reads axis i; every other row small and random on the non-chain axes
    private static float[] OutputHead(int vocab, int dim, int[] chain, int chainAxes, int seed)
    {
        var values = new float[(long)vocab * dim];
        var rng = new Random(seed);
        var successor = new HashSet<int>(chain.Skip(1));
        for (var t = 0; t < vocab; t++)
        {
            if (successor.Contains(t)) continue;
            for (var j = chainAxes; j < dim; j++) values[t * dim + j] = (float)(0.5 * RandomTensors.Normal(rng) / Math.Sqrt(dim));
        }
        for (var i = 0; i + 1 < chain.Length; i++) values[chain[i + 1] * dim + i] = BigramLogit / (float)Math.Sqrt(dim);
        // the runner-up after the last word is the newline that follows [AUD7]: a reply in words only (its [AUD] tokens
        // never sampled) ends there, where a free reply's [AUD0] leads by RunnerUpMargin logits
        int lastWord = DemoReply.Words.Count, newline = chain[DemoReply.Words.Count + DemoReply.AudioTokens.Count + 1];
        values[newline * dim + lastWord] = (BigramLogit - RunnerUpMargin) / (float)Math.Sqrt(dim);
        return values;
    }
}
