using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The adapter outputs of one turn, each [dim] (null = that modality is absent).</summary>
public sealed record M2UGenAdapterInputs(float[]? Music = null, float[]? Image = null, float[]? Video = null)
{
    public static M2UGenAdapterInputs None { get; } = new();

    public float[]? this[M2UGenModality m] => m switch
    {
        M2UGenModality.Music => Music,
        M2UGenModality.Image => Image,
        M2UGenModality.Video => Video,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, null),
    };
}

/// <summary>
/// M2UGen's gated adapter term in its LLaMA (llama.py Attention.forward with adapter_len 1): per injected layer,
/// tanh(gate_h) · (Wv · a)_h added to head h of the attention output before wo, at every position, with the base Wv
/// (no LoRA) and a = the layer's adapter input (<see cref="AdapterInjection"/>). A single key softmaxes to 1, so the
/// "adapter attention" is this constant. The terms depend only on the turn's adapter vectors: they are computed once
/// per turn (<see cref="Update"/>) into backend memory, and every graph of the turn adds them through the
/// <see cref="IAttentionOutputHook"/>, the one place the term enters a block.
/// </summary>
public sealed class GatedAdapterTerm : IAttentionOutputHook, IDisposable
{
    private readonly LlamaModel _model;
    private readonly M2UGenBridgeWeights _bridge;
    private readonly TensorStore _store;
    private readonly Dictionary<int, Tensor> _terms = [];

    public GatedAdapterTerm(LlamaModel model, M2UGenBridgeWeights bridge, M2UGenAdapterInputs inputs)
    {
        _model = model;
        _bridge = bridge;
        var c = model.Config;
        _store = new TensorStore(model.Backend, bridge.Injection.PrefixRows + 1);
        try
        {
            for (var layer = bridge.Injection.FirstLayer; layer < c.BlockCount; layer++)
                _terms[layer] = _store.Context.NewTensor(GgmlType.F32, c.QueryWidth).Named($"adapter_term-{layer}");
            _store.Allocate();
            Update(inputs);
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// tanh(gate_h)·(Wv·a)_h of one layer: a {dim} (or {dim, m}) → {heads·head_dim} (or {…, m}). The formula, written
    /// once; a training graph builds it in place with the gate and a as parameters.
    /// </summary>
    public static Tensor Build(GgmlContext ctx, RotarySelfAttention attention, Tensor gate, Tensor adapter)
    {
        var values = attention.Value.Base.Apply(ctx, adapter);                                   // {H·hd, m}: base Wv only
        var perHead = ctx.Reshape(values, attention.HeadDim, attention.Heads, values.Ne1);        // {hd, H, m}
        var gated = ctx.Mul(perHead, ctx.Reshape(ctx.Tanh(gate), 1, attention.Heads));            // tanh(gate_h) per head
        return ctx.Reshape(gated, (long)attention.Heads * attention.HeadDim, values.Ne1);
    }

    /// <summary>
    /// The adapter input of an injected layer: its prefix row plus the vector of every contributing modality present
    /// (HEAD: its group's modality; summed layout: all of them).
    /// </summary>
    public static Tensor Input(GgmlContext ctx, AdapterInjection injection, int layer, Tensor prefixRows, IReadOnlyDictionary<M2UGenModality, Tensor> present)
    {
        var a = ctx.SliceRows(prefixRows, injection.PrefixRow(layer), 1);
        foreach (var m in injection.Contributors(layer))
            if (present.TryGetValue(m, out var v)) a = ctx.Add(a, v);
        return a.IsContiguous ? a : ctx.Cont(a);
    }

    /// <summary>Recomputes every layer's term for new adapter vectors (graphs that add them stay valid).</summary>
    public void Update(M2UGenAdapterInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var c = _model.Config;
        foreach (var m in M2UGenModalities.All)
            if (inputs[m] is { } v && v.Length != c.EmbeddingLength)
                throw new ArgumentException($"the {m.Name()} adapter vector has {v.Length} values, the LLaMA width is {c.EmbeddingLength}", nameof(inputs));
        using var ctx = new GgmlContext(16 * _terms.Count + 16);
        var present = M2UGenModalities.All.Where(m => inputs[m] is not null)
            .ToDictionary(m => m, m => ctx.NewInput($"adapter_{m.Name()}", GgmlType.F32, c.EmbeddingLength));
        var g = ctx.NewGraph();
        foreach (var (layer, term) in _terms)
        {
            var a = Input(ctx, _bridge.Injection, layer, _bridge.PrefixRows, present);
            g.Expand(ctx.Copy(Build(ctx, _model.Weights.Layers[layer].Attention, _bridge.Gate(layer), a), term));
        }
        _model.Allocate(g);
        foreach (var (m, t) in present) t.SetData<float>(inputs[m]);
        _model.Executor.Compute(g);
    }

    /// <summary>Injected layers: attention + term (broadcast over positions); other layers unchanged.</summary>
    public Tensor Apply(GgmlContext ctx, int layer, Tensor attention) =>
        _terms.TryGetValue(layer, out var term) ? ctx.Add(attention, term) : attention;

    /// <summary>A layer's term as computed (inspection and tests).</summary>
    public float[] Read(int layer) => _terms.TryGetValue(layer, out var t) ? t.ToFloatArray()
        : throw new ArgumentOutOfRangeException(nameof(layer), layer, "layer takes no adapter");

    public void Dispose() => _store.Dispose();
}
