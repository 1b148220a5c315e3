using static MusicGen.Assistant.Models.HfConfigJson;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The understanding adapters an M2UGen checkpoint or adapters GGUF holds: one <see cref="ModalityAdapterConfig"/>
/// per modality present (a file may hold a subset). Sizes come from tensor shapes (the released checkpoint.pth has no
/// config file); an M2UGen-style config.json, when there is one, supplies the norm eps and is cross-checked.
/// </summary>
public sealed class AdapterConfig
{
    private readonly Dictionary<M2UGenModality, ModalityAdapterConfig> _byModality;

    public AdapterConfig(IEnumerable<ModalityAdapterConfig> modalities)
    {
        _byModality = [];
        foreach (var c in modalities)
            if (!_byModality.TryAdd(c.Modality, c.Validate()))
                throw new ModelConfigException($"M2UGen adapters: the {c.Modality.Name()} adapter is given twice");
        if (_byModality.Count == 0) throw new ModelConfigException("M2UGen adapters: no modality adapter");
    }

    /// <summary>The adapters present, in the order music, image, video.</summary>
    public IReadOnlyList<ModalityAdapterConfig> Modalities =>
        M2UGenModalities.All.Where(_byModality.ContainsKey).Select(m => _byModality[m]).ToList();

    public bool Has(M2UGenModality m) => _byModality.ContainsKey(m);

    public ModalityAdapterConfig this[M2UGenModality m] => _byModality.TryGetValue(m, out var c) ? c
        : throw new ModelConfigException($"M2UGen adapters: no {m.Name()} adapter (present: {string.Join(", ", Modalities.Select(x => x.Modality.Name()))})");

    /// <summary>Reads every adapter present from tensor shapes (PyTorch order) looked up by name.</summary>
    public static AdapterConfig FromTensorShapes(Func<string, long[]?> shapeOf, string source)
    {
        var found = M2UGenModalities.All.Select(m => ModalityAdapterConfig.FromTensorShapes(m, shapeOf, source)).OfType<ModalityAdapterConfig>().ToList();
        if (found.Count == 0)
            throw new ModelWeightsException($"{source}: no M2UGen adapter tensors (looked for {string.Join(", ", M2UGenModalities.All.Select(AdapterCheckpointKeys.AggWeight))})");
        return new AdapterConfig(found);
    }

    /// <summary>
    /// Checks these sizes against an M2UGen config.json (the fixture layout: <c>llama.dim</c> and an <c>adapters</c>
    /// section with <c>audio</c> / <c>image</c> / <c>video</c>) and takes its <c>adapter_norm_eps</c>; a disagreement
    /// names the field, the file's value and the tensor-derived one.
    /// </summary>
    public AdapterConfig WithConfigJson(string json, string source)
    {
        var root = ParseObject(json, source);
        if (Object(root, "adapters", source) is not { } adapters) return this;
        var llama = Object(root, "llama", source);
        var updated = new List<ModalityAdapterConfig>();
        foreach (var c in Modalities)
        {
            void Check(string field, int expected, int actual)
            {
                if (expected != actual)
                    throw new ModelConfigException($"{source}: {field} is {expected}, but the checkpoint's {c.Modality.Name()} adapter tensors give {actual}");
            }
            var section = Object(adapters, JsonSection(c.Modality), source);
            if (section is not null)
            {
                var channelKey = c.PoolsTime ? "n_hidden_states" : "n_tokens";
                Check($"adapters.{JsonSection(c.Modality)}.{channelKey}", Int(section, channelKey, c.Channels, source), c.Channels);
                Check($"adapters.{JsonSection(c.Modality)}.in_width", Int(section, "in_width", c.InWidth, source), c.InWidth);
            }
            Check("adapters.n_blocks", Int(adapters, "n_blocks", c.Blocks, source), c.Blocks);
            if (llama is not null) Check("llama.dim", Int(llama, "dim", c.Dim, source), c.Dim);
            var scaler = Int(adapters, "feature_scaler", c.HiddenDim / Math.Max(1, c.Dim), source);
            if ((long)scaler * c.Dim != c.HiddenDim)
                throw new ModelConfigException($"{source}: adapters.feature_scaler × dim is {(long)scaler * c.Dim}, but the checkpoint's {c.Modality.Name()} adapter tensors give {c.HiddenDim}");
            updated.Add(c with { NormEpsilon = Double(adapters, "adapter_norm_eps", c.NormEpsilon, source) });
        }
        return new AdapterConfig(updated);
    }

    private static string JsonSection(M2UGenModality m) => m == M2UGenModality.Music ? "audio" : m.Name();
}
