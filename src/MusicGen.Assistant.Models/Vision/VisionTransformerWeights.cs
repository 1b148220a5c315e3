using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>One pre-norm encoder block (transformers' ViTLayer / VivitLayer, which are the same).</summary>
public sealed record VisionBlockWeights(
    LayerNormWeights BeforeNorm, AttentionWeights Attention, LayerNormWeights AfterNorm, LinearWeights Up, LinearWeights Down);

/// <summary>
/// Every tensor of one vision encoder in a GGUF file (names and layouts in <see cref="VisionKeys"/>), checked against
/// the config and uploaded to a backend. The pooler is optional: a checkpoint converted from a classification model
/// has none. Owns the backend memory holding them.
/// </summary>
public sealed class VisionTransformerWeights : IDisposable
{
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public VisionTransformerWeights(GgufFile file, VisionTransformerConfig config, ComputeBackend backend)
    {
        Config = config.Validate();
        var k = VisionKeys.For(config.Family);
        _store = WeightBinder.NewStore(file, backend, 16L * config.NumHiddenLayers + 16, int8Products: true);
        try
        {
            var b = new WeightBinder(file, _store);
            long d = config.HiddenSize, f = config.IntermediateSize;
            var eps = (float)config.LayerNormEps;
            Tensor Vector(string name, long n) => b.Require(name, [n], GgmlType.F32);
            LayerNormWeights Norm(string module) => new(Vector(module + ".weight", d), Vector(module + ".bias", d), eps);
            LinearWeights Linear(string module, long inputs, long outputs, bool bias = true) =>
                new(b.RequireMatrix(module + ".weight", [inputs, outputs], Matrices), bias ? Vector(module + ".bias", outputs) : null); // only multiplied whole

            PatchEmbedding = Linear(k.Patch, config.PatchVectorLength, d);
            ClassEmbedding = Vector(k.ClassEmbedding, d);
            PositionEmbedding = b.Require(k.PositionEmbedding, [d, config.SequenceLength], GgmlType.F32);
            Blocks = Enumerable.Range(0, config.NumHiddenLayers).Select(i => new VisionBlockWeights(
                Norm(k.Block(i, VisionKeys.BeforeNorm)),
                new AttentionWeights(
                    Linear(k.Block(i, VisionKeys.Query), d, d, config.QkvBias),
                    Linear(k.Block(i, VisionKeys.Key), d, d, config.QkvBias),
                    Linear(k.Block(i, VisionKeys.Value), d, d, config.QkvBias),
                    Linear(k.Block(i, VisionKeys.AttentionOutput), d, d),
                    config.NumAttentionHeads),
                Norm(k.Block(i, VisionKeys.AfterNorm)),
                Linear(k.Block(i, VisionKeys.Up), d, f),
                Linear(k.Block(i, VisionKeys.Down), f, d))).ToArray();
            FinalNorm = new LayerNormWeights(Vector(k.FinalNormWeight, d), Vector(k.FinalNormBias, d), eps);
            Pooler = file.TryGetTensor(k.PoolerWeight, out _) ? Linear(k.Pooler, d, d) : null;
            b.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public VisionTransformerConfig Config { get; }

    /// <summary>The patch (tubelet) convolution as a Linear over flattened patches: {C·pt·ph·pw, D} and {D}.</summary>
    public LinearWeights PatchEmbedding { get; }

    /// <summary>{D}.</summary>
    public Tensor ClassEmbedding { get; }

    /// <summary>{D, 1 + patches}.</summary>
    public Tensor PositionEmbedding { get; }

    public IReadOnlyList<VisionBlockWeights> Blocks { get; }
    public LayerNormWeights FinalNorm { get; }

    /// <summary>dense + tanh over the CLS token; null when the checkpoint had no pooler.</summary>
    public LinearWeights? Pooler { get; }

    public long ResidentBytes => _store.AllocatedBytes;

    /// <summary>The backend the weights live on.</summary>
    public ComputeBackend Backend => _store.Backend;

    public void Dispose() => _store.Dispose();
}
