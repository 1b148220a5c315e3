using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// The parts of an M2UGen model set a stage trains through, loaded onto one backend: the LLaMA with its bridge (gates,
/// prefix rows), the adapters of the modalities the data attaches, and the projector when [AUD] answers are trained.
/// Trained tensors are updated in place in these parts (so inference right after training uses them) and written
/// back as copies of the part files (<see cref="TrainedWeights"/>).
/// </summary>
public sealed class M2UGenTrainingModel : IDisposable
{
    public const string LlamaPart = "llama", AdaptersPart = "adapters", ProjectorPart = "projector";

    private readonly List<IDisposable> _owned = [];

    private M2UGenTrainingModel(AssistantParts parts) => Parts = parts;

    public AssistantParts Parts { get; }
    public M2UGenLlama Llama { get; private set; } = null!;
    public IReadOnlyDictionary<M2UGenModality, ModalityAdapterWeights> Adapters { get; private set; } = new Dictionary<M2UGenModality, ModalityAdapterWeights>();
    public ProjectorWeights? Projector { get; private set; }

    public static M2UGenTrainingModel Load(AssistantParts parts, ComputeBackend backend, IEnumerable<M2UGenModality> modalities, bool projector)
    {
        var model = new M2UGenTrainingModel(parts);
        try
        {
            // the frozen matrices in the file's layout: the backward pass multiplies through them (OUT_PROD), which
            // ggml's repacked buffers cannot
            model.Llama = M2UGenLlama.Load(parts.LlamaPath, backend, repackMatrices: false);
            model._owned.Add(model.Llama);
            var wanted = modalities.Distinct().ToList();
            if (wanted.Count > 0)
            {
                using var file = GgufFile.Open(parts.AdaptersPath);
                var config = AdapterMetadata.Read(file.Metadata);
                var adapters = new Dictionary<M2UGenModality, ModalityAdapterWeights>();
                foreach (var m in wanted)
                {
                    if (!config.Has(m)) throw new ModelConfigException($"{parts.AdaptersPath}: no {m.Name()} adapter, but the training data attaches {m.Name()}");
                    var w = new ModalityAdapterWeights(file, config[m], backend);
                    model._owned.Add(w);
                    adapters[m] = w;
                }
                model.Adapters = adapters;
            }
            if (projector)
            {
                using var file = GgufFile.Open(parts.ProjectorPath);
                model.Projector = new ProjectorWeights(file, ProjectorMetadata.Read(file.Metadata), backend);
                model._owned.Add(model.Projector);
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The GGUF file each part's tensors come from.</summary>
    public string FileOf(string part) => part switch
    {
        LlamaPart => Parts.LlamaPath,
        AdaptersPart => Parts.AdaptersPath,
        ProjectorPart => Parts.ProjectorPath,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };

    /// <summary>
    /// The trainable tensors of the chosen groups, named "part/gguf-name". Every one must be F32 (trainable tensors
    /// stay F32 over frozen F16/quantized weights): a group stored otherwise is refused naming the tensor.
    /// </summary>
    public IReadOnlyList<TrainableParameter> Select(M2UGenTrainable groups)
    {
        var list = new List<TrainableParameter>();
        void Add(string part, Tensor? t)
        {
            if (t is not { } tensor) return;
            if (tensor.Type != GgmlType.F32)
                throw new ModelWeightsException($"{FileOf(part)}: '{tensor.Name}' is {tensor.Type}; a trained tensor must be F32 (convert this part with --type f32, or leave its group frozen)");
            var name = $"{part}/{tensor.Name}";
            if (list.All(p => p.Name != name)) list.Add(TrainableParameter.Of(name, tensor));
        }
        var w = Llama.Model.Weights;
        foreach (var layer in w.Layers)
        {
            if (groups.HasFlag(M2UGenTrainable.Norm)) { Add(LlamaPart, layer.AttentionNorm.Weight); Add(LlamaPart, layer.FeedForwardNorm.Weight); }
            foreach (var p in Models.Llama.LlamaWeights.Projections(layer))
            {
                if (groups.HasFlag(M2UGenTrainable.Bias)) Add(LlamaPart, p.Base.Bias);
                if (groups.HasFlag(M2UGenTrainable.Lora) && p.Lora is { } l) { Add(LlamaPart, l.Down); Add(LlamaPart, l.Up); }
            }
        }
        if (groups.HasFlag(M2UGenTrainable.Norm)) Add(LlamaPart, w.OutputNorm.Weight);
        if (groups.HasFlag(M2UGenTrainable.Embeddings)) Add(LlamaPart, w.TokenEmbedding);
        var bridge = Llama.Bridge;
        if (groups.HasFlag(M2UGenTrainable.Gates))
            for (var layer = bridge.Injection.FirstLayer; layer < Llama.Config.BlockCount; layer++) Add(LlamaPart, bridge.Gate(layer));
        if (groups.HasFlag(M2UGenTrainable.Prefix)) Add(LlamaPart, bridge.PrefixRows);
        if (groups.HasFlag(M2UGenTrainable.Adapters))
            foreach (var a in Adapters.Values)
            {
                Add(AdaptersPart, a.AggWeight);
                Add(AdaptersPart, a.AggBias);
                Linear(AdaptersPart, a.Projection, Add);
                foreach (var b in a.Blocks) { Add(AdaptersPart, b.Norm); Add(AdaptersPart, b.Gate); Add(AdaptersPart, b.Up); Add(AdaptersPart, b.Down); }
            }
        if (groups.HasFlag(M2UGenTrainable.Projector) && Projector is { } pr)
        {
            Linear(ProjectorPart, pr.Fc, Add);
            foreach (var b in pr.Encoder)
            {
                Attention(b.SelfAttention, Add);
                Norm(b.AttentionNorm, Add);
                Linear(ProjectorPart, b.FeedForward.Up, Add);
                Linear(ProjectorPart, b.FeedForward.Down, Add);
                Norm(b.FeedForwardNorm, Add);
            }
            Norm(pr.EncoderNorm, Add);
            foreach (var b in pr.Decoder)
            {
                Attention(b.SelfAttention, Add);
                Norm(b.AttentionNorm, Add);
                Attention(b.CrossAttention, Add);
                Norm(b.CrossNorm, Add);
                Linear(ProjectorPart, b.FeedForward.Up, Add);
                Linear(ProjectorPart, b.FeedForward.Down, Add);
                Norm(b.FeedForwardNorm, Add);
            }
            Norm(pr.DecoderNorm, Add);
            Add(ProjectorPart, pr.QueryEmbeddings);
            Linear(ProjectorPart, pr.Output, Add);
        }
        if (list.Count == 0) throw new ArgumentException($"nothing to train: the groups {groups} select no tensor of this model");
        return list;

        static void Linear(string part, LinearWeights l, Action<string, Tensor?> add) { add(part, l.Weight); add(part, l.Bias); }
        static void Norm(LayerNormWeights n, Action<string, Tensor?> add) { add(ProjectorPart, n.Weight); add(ProjectorPart, n.Bias); }
        static void Attention(AttentionWeights a, Action<string, Tensor?> add)
        {
            foreach (var l in new[] { a.Query, a.Key, a.Value, a.Output }) Linear(ProjectorPart, l, add);
        }
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
