using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using C = MusicGen.Assistant.Models.M2UGen.ProjectorCheckpointKeys;
using K = MusicGen.Assistant.Models.M2UGen.ProjectorKeys;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Maps the output projector of an M2UGen state dict (<see cref="ProjectorCheckpointKeys"/>) to a projector GGUF
/// (<see cref="ProjectorKeys"/>). Linear weights [out, in] are already {in, out} in ggml order; the one re-layout is
/// nn.MultiheadAttention's packed <c>in_proj_weight</c> [3d, d] / <c>in_proj_bias</c> [3d], whose row blocks q; k; v
/// become three {d, d} projections here, so the graph sees ordinary attention weights.
/// </summary>
public sealed class ProjectorCheckpointPlan : IConversionPlan
{
    private readonly ProjectorConfig _config;

    /// <param name="statePrefix">Prefix of the state-dict names (empty, or <c>module.</c> for a DDP-wrapped save).</param>
    public ProjectorCheckpointPlan(CheckpointReader reader, ProjectorConfig config, string statePrefix = "")
    {
        _config = config.Validate();
        long d = config.DModel, f = config.FeedForwardDim;
        var tensors = new List<PlannedTensor>();
        void Add(string gguf, long[] ne, TensorRole role, string name, Func<float[], float[]>? select, params long[] torchShape)
        {
            var hf = statePrefix + name;
            tensors.Add(new PlannedTensor(gguf, ne, role, () =>
            {
                var values = reader.Read(hf, torchShape);
                return select is null ? values : select(values);
            }, hf));
        }
        void Linear(string gguf, string hf, long inputs, long outputs)
        {
            Add(gguf + ".weight", [inputs, outputs], TensorRole.Matrix, hf + ".weight", null, outputs, inputs);
            Add(gguf + ".bias", [outputs], TensorRole.Exact, hf + ".bias", null, outputs);
        }
        void Norm(string gguf, string hf)
        {
            Add(gguf + ".weight", [d], TensorRole.Exact, hf + ".weight", null, d);
            Add(gguf + ".bias", [d], TensorRole.Exact, hf + ".bias", null, d);
        }
        // nn.MultiheadAttention (batch_first, kdim = vdim = d): in_proj rows [0, d) = q, [d, 2d) = k, [2d, 3d) = v
        void Attention(Func<string, string> gguf, string hf, string q, string k, string v, string o)
        {
            foreach (var (part, name) in new[] { (0, q), (1, k), (2, v) })
            {
                Add(gguf(name) + ".weight", [d, d], TensorRole.Matrix, hf + ".in_proj_weight", w => PackedPart(w, part, d * d), 3 * d, d);
                Add(gguf(name) + ".bias", [d], TensorRole.Exact, hf + ".in_proj_bias", b => PackedPart(b, part, d), 3 * d);
            }
            Linear(gguf(o), hf + ".out_proj", d, d);
        }

        Linear(K.Fc, C.Fc, config.InDim, d);
        for (var i = 0; i < config.EncoderLayers; i++)
        {
            string G(string module) => K.EncoderBlock(i, module);
            string H(string module) => C.EncoderLayer(i, module);
            Attention(G, H(C.SelfAttention), K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput);
            Norm(G(K.AttentionNorm), H(C.Norm(1)));
            Linear(G(K.FeedForwardUp), H(C.Up), d, f);
            Linear(G(K.FeedForwardDown), H(C.Down), f, d);
            Norm(G(K.FeedForwardNorm), H(C.Norm(2)));
        }
        Norm(K.EncoderNorm, C.EncoderNorm);
        for (var i = 0; i < config.DecoderLayers; i++)
        {
            string G(string module) => K.DecoderBlock(i, module);
            string H(string module) => C.DecoderLayer(i, module);
            Attention(G, H(C.SelfAttention), K.AttentionQuery, K.AttentionKey, K.AttentionValue, K.AttentionOutput);
            Norm(G(K.AttentionNorm), H(C.Norm(1)));
            Attention(G, H(C.CrossAttention), K.CrossQuery, K.CrossKey, K.CrossValue, K.CrossOutput);
            Norm(G(K.CrossNorm), H(C.Norm(2)));
            Linear(G(K.FeedForwardUp), H(C.Up), d, f);
            Linear(G(K.FeedForwardDown), H(C.Down), f, d);
            Norm(G(K.FeedForwardNorm), H(C.Norm(3)));
        }
        Norm(K.DecoderNorm, C.DecoderNorm);
        Add(K.QueryEmbeddings, [d, config.OutputTokens], TensorRole.Exact, C.QueryEmbeddings, null, 1, config.OutputTokens, d);
        Linear(K.Output, C.Output, d, config.OutDim);
        Tensors = tensors;
    }

    /// <summary>
    /// The projector of an M2UGen state dict in any checkpoint format (model.safetensors or checkpoint.pth); sizes from
    /// the tensor shapes, checked against <paramref name="configJson"/> (an M2UGen config.json) when one is given.
    /// </summary>
    public static ProjectorCheckpointPlan ForCheckpoint(ITensorCheckpoint checkpoint, string? configJson = null, string? configSource = null)
    {
        var prefix = StatePrefix(checkpoint.Contains);
        var config = ProjectorConfig.FromTensorShapes(n => checkpoint.Contains(prefix + n) ? checkpoint.Shape(prefix + n) : null, checkpoint.Source)
                     ?? throw new ModelWeightsException($"{checkpoint.Source}: no M2UGen output projector (missing tensor '{C.FcWeight}')");
        if (configJson is not null) config = config.WithConfigJson(configJson, configSource ?? checkpoint.Source);
        return new ProjectorCheckpointPlan(new CheckpointReader(checkpoint), config, prefix);
    }

    /// <summary>"module." when the state dict was saved from a DistributedDataParallel wrapper, else empty.</summary>
    public static string StatePrefix(Func<string, bool> contains) =>
        !contains(C.FcWeight) && contains("module." + C.FcWeight) ? "module." : "";

    /// <summary>Row block <paramref name="part"/> (0 = q, 1 = k, 2 = v) of a packed in_proj tensor, <paramref name="size"/> values each.</summary>
    public static float[] PackedPart(float[] packed, int part, long size) =>
        packed.AsSpan(checked((int)(part * size)), checked((int)size)).ToArray();

    public ProjectorConfig Config => _config;
    public string Architecture => K.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => ProjectorMetadata.Write(writer, _config);
}
