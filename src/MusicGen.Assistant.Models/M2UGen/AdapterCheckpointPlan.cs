using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Maps the understanding adapters of an M2UGen state dict (<c>mu_mert_*</c>, <c>iu_vit_*</c>, <c>iu_vivit_*</c>;
/// <see cref="AdapterCheckpointKeys"/>) to one adapters GGUF (<see cref="AdapterKeys"/>). Linear weights [out, in] are
/// already {in, out} in ggml order; the aggregation kernel [1, C, 1] is stored as its C weights. The LLaMA, the
/// encoders and the output projector of the same checkpoint are other families' business and are left out.
/// </summary>
public sealed class AdapterCheckpointPlan : IConversionPlan
{
    private readonly AdapterConfig _config;

    /// <param name="statePrefix">Prefix of the state-dict names (empty, or <c>module.</c> for a DDP-wrapped save).</param>
    public AdapterCheckpointPlan(CheckpointReader reader, AdapterConfig config, string statePrefix = "")
    {
        _config = config;
        var tensors = new List<PlannedTensor>();
        void Add(string gguf, long[] ne, string name, TensorRole role, long[] torchShape)
        {
            var hf = statePrefix + name;
            tensors.Add(new PlannedTensor(gguf, ne, role, () => reader.Read(hf, torchShape), hf));
        }

        foreach (var c in config.Modalities)
        {
            var m = c.Modality;
            long ch = c.Channels, w = c.InWidth, d = c.Dim, h = c.HiddenDim;
            Add(AdapterKeys.AggWeight(m), [ch], AdapterCheckpointKeys.AggWeight(m), TensorRole.Exact, [1, ch, 1]);
            Add(AdapterKeys.AggBias(m), [1], AdapterCheckpointKeys.AggBias(m), TensorRole.Exact, [1]);
            Add(AdapterKeys.ProjWeight(m), [w, d], AdapterCheckpointKeys.ProjWeight(m), TensorRole.Matrix, [d, w]);
            Add(AdapterKeys.ProjBias(m), [d], AdapterCheckpointKeys.ProjBias(m), TensorRole.Exact, [d]);
            for (var i = 0; i < c.Blocks; i++)
            {
                Add(AdapterKeys.Norm(m, i), [d], AdapterCheckpointKeys.Norm(m, i + 1), TensorRole.Exact, [d]);
                Add(AdapterKeys.Gate(m, i), [d, h], AdapterCheckpointKeys.Gate(m, i + 1), TensorRole.Matrix, [h, d]);
                Add(AdapterKeys.Up(m, i), [d, h], AdapterCheckpointKeys.Up(m, i + 1), TensorRole.Matrix, [h, d]);
                Add(AdapterKeys.Down(m, i), [h, d], AdapterCheckpointKeys.Down(m, i + 1), TensorRole.Matrix, [d, h]);
            }
        }
        Tensors = tensors;
    }

    /// <summary>
    /// The adapters of an M2UGen state dict, from any checkpoint format: model.safetensors, or the released
    /// checkpoint.pth (<see cref="MusicGen.Assistant.Formats.PyTorch.PyTorchCheckpoint"/>). Sizes come from the tensor
    /// shapes, checked against <paramref name="configJson"/> (an M2UGen config.json) when one is given.
    /// </summary>
    public static AdapterCheckpointPlan ForCheckpoint(ITensorCheckpoint checkpoint, string? configJson = null, string? configSource = null)
    {
        var prefix = StatePrefix(checkpoint.Contains);
        var config = AdapterConfig.FromTensorShapes(name => checkpoint.Contains(prefix + name) ? checkpoint.Shape(prefix + name) : null, checkpoint.Source);
        if (configJson is not null) config = config.WithConfigJson(configJson, configSource ?? checkpoint.Source);
        return new AdapterCheckpointPlan(new CheckpointReader(checkpoint), config, prefix);
    }

    /// <summary>"module." when the state dict was saved from a DistributedDataParallel wrapper, else empty.</summary>
    public static string StatePrefix(Func<string, bool> contains) =>
        M2UGenModalities.All.Any(m => contains(AdapterCheckpointKeys.AggWeight(m))) ? ""
        : M2UGenModalities.All.Any(m => contains("module." + AdapterCheckpointKeys.AggWeight(m))) ? "module." : "";

    public AdapterConfig Config => _config;
    public string Architecture => AdapterKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => AdapterMetadata.Write(writer, _config);
}
