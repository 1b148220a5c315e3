using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using C = MusicGen.Assistant.Models.M2UGen.M2UGenLlamaCheckpointKeys;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Converts the <c>llama.*</c> and <c>prefix_query</c> part of an M2UGen state dict (checkpoint.pth through the
/// PyTorch reader, or model.safetensors) to llama.cpp's names (<see cref="LlamaKeys"/>): Meta's q/k layout is already
/// the adjacent-pair order normal RoPE takes, so every tensor is copied as it is; biases and LoRA pairs under
/// llama.cpp's optional-bias and adapter names, gates and prefix rows under <see cref="LlamaKeys.M2UGen"/>. Sizes come
/// from the tensor shapes (the vocabulary with its [AUD] rows included), the rest from <see cref="M2UGenLlamaSettings"/>.
/// A reusable part of the whole-checkpoint conversion: compose it with the other families' plans.
/// </summary>
public sealed class M2UGenLlamaPlan : IConversionPlan
{
    private static readonly string[] Parts = [K.Query, K.Key, K.Value, K.AttentionOutput, K.Gate, K.Up, K.Down];

    /// <param name="checkpoint">The state dict; it must stay open until the conversion ends.</param>
    /// <param name="settings">Values the checkpoint does not hold, and whether to fold LoRA.</param>
    /// <param name="statePrefix">"module." for a DistributedDataParallel save, else empty (found by <see cref="StatePrefix"/> when null).</param>
    public M2UGenLlamaPlan(ITensorCheckpoint checkpoint, M2UGenLlamaSettings? settings = null, string? statePrefix = null)
    {
        Settings = settings ?? M2UGenLlamaSettings.Default;
        var prefix = statePrefix ?? StatePrefix(checkpoint);
        var reader = new CheckpointReader(checkpoint);
        string N(string name) => prefix + name;
        long[] Shape(string name) => checkpoint.Contains(N(name)) ? checkpoint.Shape(N(name))
            : throw new ModelWeightsException($"{checkpoint.Source}: missing tensor '{N(name)}' (an M2UGen state dict has {C.TokenEmbeddings}, llama.layers.*, {C.PrefixQuery})");

        var embedding = Shape(C.TokenEmbeddings);
        if (embedding.Length != 2) throw new ModelWeightsException($"{checkpoint.Source}: '{N(C.TokenEmbeddings)}' is not a [vocab, dim] matrix");
        int vocab = Dimension(embedding[0]), dim = Dimension(embedding[1]);
        var layers = 0;
        while (checkpoint.Contains(N(C.AttentionNorm(layers)))) layers++;
        if (layers == 0) throw new ModelWeightsException($"{checkpoint.Source}: no '{N(C.AttentionNorm(0))}': not an M2UGen LLaMA");
        var heads = checkpoint.Contains(N(C.Gate(0))) ? Dimension(Shape(C.Gate(0))[1])
            : Settings.Heads ?? throw new ModelConfigException($"{checkpoint.Source}: no '{N(C.Gate(0))}' to read the head count from; give it in the settings");
        if (Settings.Heads is { } h && h != heads)
            throw new ModelConfigException($"{checkpoint.Source}: the settings say {h} heads but the gates hold {heads}");
        if (heads < 1 || dim % heads != 0) throw new ModelConfigException($"{checkpoint.Source}: {heads} heads do not divide the width {dim}");
        var ff = Dimension(Shape(C.Weight(0, "w1"))[0]);
        var rows = Shape(C.PrefixQuery);
        if (rows.Length != 2 || rows[1] != dim) throw new ModelWeightsException($"{checkpoint.Source}: '{N(C.PrefixQuery)}' has shape [{string.Join(", ", rows)}], expected [rows, {dim}]");
        Injection = AdapterInjection.FromPrefixRows(Dimension(rows[0]), layers, Settings.Layout);
        if (Settings.AudioTokens < 0 || Settings.AudioTokens >= vocab)
            throw new ModelConfigException($"{checkpoint.Source}: {Settings.AudioTokens} [AUD] tokens do not fit a vocabulary of {vocab}");
        Config = new LlamaConfig
        {
            VocabSize = vocab, ContextLength = Settings.ContextLength, EmbeddingLength = dim, BlockCount = layers, FeedForwardLength = ff,
            HeadCount = heads, HeadCountKv = heads, HeadDim = dim / heads, RopeDimensionCount = dim / heads,
            RopeFreqBase = Settings.RopeTheta, RmsNormEps = Settings.NormEps,
        }.Validate(checkpoint.Source);
        AudioTokenIds = Enumerable.Range(vocab - Settings.AudioTokens, Settings.AudioTokens).ToArray();

        var tensors = new List<PlannedTensor>();
        void Add(string gguf, long[] ne, TensorRole role, string name, long[] torchShape, Func<float[]>? produce = null) =>
            tensors.Add(new PlannedTensor(gguf, ne, role, produce ?? (() => reader.Read(N(name), torchShape)), N(name)));
        long d = dim, f = ff;
        Add(K.TokenEmbedding, [d, vocab], TensorRole.Matrix, C.TokenEmbeddings, [vocab, d]);
        for (var layer = 0; layer < layers; layer++)
        {
            var i = layer; // captured by the lazy producers below: one variable per layer
            Add(K.Weight(i, K.AttentionNorm), [d], TensorRole.Exact, C.AttentionNorm(i), [d]);
            for (var p = 0; p < Parts.Length; p++)
            {
                var meta = C.Projections[p];
                var (inputs, outputs) = meta == "w2" ? (f, d) : meta is "w1" or "w3" ? (d, f) : (d, d);
                var lora = checkpoint.Contains(N(C.LoraDown(i, meta)));
                // the gated adapter term multiplies by the base Wv: keep that pair apart in injected layers
                var fold = lora && Settings.FoldLora && !(meta == "wv" && Injection.Injects(i));
                var rank = lora ? Shape(C.LoraDown(i, meta))[0] : 0;
                Add(K.Weight(i, Parts[p]), [inputs, outputs], TensorRole.Matrix, C.Weight(i, meta), [outputs, inputs],
                    fold ? () => Fold(reader, N(C.Weight(i, meta)), N(C.LoraDown(i, meta)), N(C.LoraUp(i, meta)), inputs, outputs, rank) : null);
                if (checkpoint.Contains(N(C.Bias(i, meta))))
                    Add(K.Bias(i, Parts[p]), [outputs], TensorRole.Exact, C.Bias(i, meta), [outputs]);
                if (lora && !fold)
                {
                    // thin matrices: kept f32 (exact), they cost 2·rank·(in + out) values
                    Add(K.LoraA(i, Parts[p]), [inputs, rank], TensorRole.Exact, C.LoraDown(i, meta), [rank, inputs]);
                    Add(K.LoraB(i, Parts[p]), [rank, outputs], TensorRole.Exact, C.LoraUp(i, meta), [outputs, rank]);
                }
            }
            Add(K.Weight(i, K.FeedForwardNorm), [d], TensorRole.Exact, C.FeedForwardNorm(i), [d]);
            if (checkpoint.Contains(N(C.Gate(i))))
                Add(K.M2UGen.AdapterGate(i), [heads], TensorRole.Exact, C.Gate(i), [1, heads, 1, 1]);
            else if (Injection.Injects(i))
                throw new ModelWeightsException($"{checkpoint.Source}: layer {i} takes an adapter but has no '{N(C.Gate(i))}'");
        }
        Add(K.OutputNorm, [d], TensorRole.Exact, C.Norm, [d]);
        Add(K.Output, [d, vocab], TensorRole.Matrix, C.Output, [vocab, d]);
        Add(K.M2UGen.PrefixQuery, [d, Injection.PrefixRows], TensorRole.Exact, C.PrefixQuery, [Injection.PrefixRows, d]);
        Tensors = tensors;
    }

    public M2UGenLlamaSettings Settings { get; }
    public LlamaConfig Config { get; }
    public AdapterInjection Injection { get; }

    /// <summary>[AUD0]..[AUD7]: the last rows of the vocabulary (32000..32007 in the released 7B).</summary>
    public IReadOnlyList<int> AudioTokenIds { get; }

    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        LlamaMetadata.Write(writer, Config);
        writer.SetMetadata(K.M2UGen.AdapterLayout, AdapterInjection.Name(Injection.Layout));
        writer.SetMetadata(K.M2UGen.AudioTokenIds, GgufArray.Of(AudioTokenIds.Select(i => (uint)i).ToArray()));
        writer.SetMetadata(K.M2UGen.LoraFolded, Settings.FoldLora);
    }

    /// <summary>"module." when the state dict was saved from a DistributedDataParallel wrapper, else empty.</summary>
    public static string StatePrefix(ITensorCheckpoint checkpoint) =>
        !checkpoint.Contains(C.TokenEmbeddings) && checkpoint.Contains("module." + C.TokenEmbeddings) ? "module." : "";

    // W [out, in] + l2 [out, rank] · l1 [rank, in], accumulated in double
    private static float[] Fold(CheckpointReader reader, string weight, string down, string up, long inputs, long outputs, long rank)
    {
        var w = reader.Read(weight, outputs, inputs);
        var a = reader.Read(down, rank, inputs);
        var b = reader.Read(up, outputs, rank);
        var row = new double[inputs];
        for (long o = 0; o < outputs; o++)
        {
            Array.Clear(row);
            for (long r = 0; r < rank; r++)
            {
                double coefficient = b[o * rank + r];
                for (long i = 0; i < inputs; i++) row[i] += coefficient * a[r * inputs + i];
            }
            for (long i = 0; i < inputs; i++) w[o * inputs + i] = (float)(w[o * inputs + i] + row[i]);
        }
        return w;
    }

    private static int Dimension(long value) => value is > 0 and <= int.MaxValue ? (int)value
        : throw new ModelWeightsException($"tensor dimension {value} is out of range");
}
