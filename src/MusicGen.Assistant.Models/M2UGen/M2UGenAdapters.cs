using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The understanding adapters of an adapters GGUF, loaded onto a backend: one <see cref="ModalityAdapter"/> per
/// modality asked for (each real adapter is ~155 M parameters, so a caller loads only what it embeds).
/// </summary>
public sealed class M2UGenAdapters : IDisposable
{
    private readonly Dictionary<M2UGenModality, ModalityAdapter> _adapters;

    private M2UGenAdapters(AdapterConfig fileConfig, Dictionary<M2UGenModality, ModalityAdapter> adapters)
    {
        FileConfig = fileConfig;
        _adapters = adapters;
    }

    /// <summary>Loads the adapters of a GGUF file; <paramref name="only"/> limits which (default: all it holds).</summary>
    public static M2UGenAdapters Load(string ggufPath, ComputeBackend backend, IEnumerable<M2UGenModality>? only = null)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend, only);
    }

    /// <summary>Loads from an open GGUF file; a modality asked for but absent is an error naming the file.</summary>
    public static M2UGenAdapters Load(GgufFile file, ComputeBackend backend, IEnumerable<M2UGenModality>? only = null)
    {
        var config = AdapterMetadata.Read(file.Metadata);
        var wanted = only?.Distinct().ToList() ?? config.Modalities.Select(c => c.Modality).ToList();
        foreach (var m in wanted.Where(m => !config.Has(m)))
            throw new ModelConfigException($"{file.Path}: no {m.Name()} adapter in this GGUF (it holds: {string.Join(", ", config.Modalities.Select(c => c.Modality.Name()))})");
        var adapters = new Dictionary<M2UGenModality, ModalityAdapter>();
        try
        {
            foreach (var m in wanted)
            {
                var weights = new ModalityAdapterWeights(file, config[m], backend);
                try { adapters[m] = new ModalityAdapter(weights, backend) { OwnsWeights = true }; }
                catch { weights.Dispose(); throw; }
            }
        }
        catch
        {
            foreach (var a in adapters.Values) a.Dispose();
            throw;
        }
        return new M2UGenAdapters(config, adapters);
    }

    /// <summary>Every adapter the file holds, loaded or not.</summary>
    public AdapterConfig FileConfig { get; }

    /// <summary>The loaded adapters, in the order music, image, video.</summary>
    public IReadOnlyList<ModalityAdapter> Loaded => M2UGenModalities.All.Where(_adapters.ContainsKey).Select(m => _adapters[m]).ToList();

    public bool Has(M2UGenModality m) => _adapters.ContainsKey(m);

    public ModalityAdapter this[M2UGenModality m] => _adapters.TryGetValue(m, out var a) ? a
        : throw new InvalidOperationException($"the {m.Name()} adapter is not loaded (loaded: {string.Join(", ", _adapters.Keys.Select(k => k.Name()))})");

    /// <summary>Runs the <paramref name="modality"/> adapter (input layouts in <see cref="ModalityAdapter"/>).</summary>
    public AdapterResult Embed(M2UGenModality modality, ReadOnlySpan<float> features, params int[] shape) => this[modality].Embed(features, shape);

    /// <summary>Bytes of all loaded adapter weights on the backend.</summary>
    public long WeightBytes => _adapters.Values.Sum(a => a.WeightBytes);

    public void Dispose()
    {
        foreach (var a in _adapters.Values) a.Dispose();
    }
}
