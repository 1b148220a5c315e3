using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using K = MusicGen.Assistant.Models.Llama.LlamaKeys;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// M2UGen's additions to a LLaMA GGUF beside llama.cpp's tensors (<see cref="LlamaKeys.M2UGen"/>): the adapter gate
/// {heads} of each injected layer, the prefix rows {dim, rows}, the injection layout and the [AUD] token ids. Checked
/// against the LLaMA config before anything is allocated; owns their backend memory.
/// </summary>
public sealed class M2UGenBridgeWeights : IDisposable
{
    private readonly TensorStore _store;
    private readonly Dictionary<int, Tensor> _gates = [];

    public M2UGenBridgeWeights(GgufFile file, LlamaConfig config, ComputeBackend backend)
    {
        var m = file.Metadata;
        if (!file.TryGetTensor(K.M2UGen.PrefixQuery, out var prefix) || prefix.Ne.Length != 2)
            throw new ModelWeightsException($"{file.Path}: no M2UGen prefix rows '{K.M2UGen.PrefixQuery}' {{dim, rows}}: not an M2UGen LLaMA (convert its checkpoint with the M2UGen plan)");
        if (prefix.Ne[1] is < 1 or > 1024) throw new ModelWeightsException($"{file.Path}: '{K.M2UGen.PrefixQuery}' has {prefix.Ne[1]} rows");
        AdapterLayout? layout = m.TryGet(K.M2UGen.AdapterLayout, out var l) && l.Type == GgufValueType.STRING ? AdapterInjection.Parse(l.AsString()) : null;
        Injection = AdapterInjection.FromPrefixRows((int)prefix.Ne[1], config.BlockCount, layout);
        if (config.HeadCountKv != config.HeadCount)
            throw new ModelConfigException($"{file.Path}: the adapter term adds Wv·a per query head; grouped-query attention ({config.HeadCountKv} key/value heads for {config.HeadCount}) has no such Wv");
        AudioTokenIds = m.ContainsKey(K.M2UGen.AudioTokenIds) ? m.GetArray(K.M2UGen.AudioTokenIds).AsSpan<uint>().ToArray().Select(i => (int)i).ToArray() : [];
        foreach (var id in AudioTokenIds)
            if ((uint)id >= (uint)config.VocabSize) throw new ModelConfigException($"{file.Path}: [AUD] token id {id} is outside the vocabulary of {config.VocabSize}");
        LoraFolded = m.TryGet(K.M2UGen.LoraFolded, out var folded) && folded.Type == GgufValueType.BOOL && folded.AsBool();

        _store = new TensorStore(backend, Injection.PrefixRows + 4);
        try
        {
            var binder = new WeightBinder(file, _store);
            PrefixRows = binder.Require(K.M2UGen.PrefixQuery, [config.EmbeddingLength, Injection.PrefixRows], GgmlType.F32);
            for (var layer = Injection.FirstLayer; layer < config.BlockCount; layer++)
                _gates[layer] = binder.Require(K.M2UGen.AdapterGate(layer), [config.HeadCount], GgmlType.F32);
            binder.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public AdapterInjection Injection { get; }

    /// <summary>prefix_query {dim, rows}: row i belongs to layer <see cref="AdapterInjection.FirstLayer"/> + i.</summary>
    public Tensor PrefixRows { get; }

    /// <summary>[AUD0]..[AUD7] ids (empty when the file does not say).</summary>
    public IReadOnlyList<int> AudioTokenIds { get; }

    /// <summary>Whether conversion folded the LoRA pairs into the base weights (injected layers' Wv excepted).</summary>
    public bool LoraFolded { get; }

    /// <summary>The gate {heads} of an injected layer.</summary>
    public Tensor Gate(int layer) => _gates.TryGetValue(layer, out var g) ? g
        : throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} takes no adapter");

    public long ResidentBytes => _store.AllocatedBytes;

    public void Dispose() => _store.Dispose();
}
