using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Kernels;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// One conv of the feature encoder: kernel {k·in, out}, optional bias, and its norm when it has one. On the CPU a
/// conv whose kernel is not whole 32-value blocks (the first, over the raw samples) also has it in the direct conv
/// kernel's F32 blocks (<see cref="GgmlContext.ConvFrames"/>) with a bias (zeros when the model has none).
/// </summary>
public sealed record HubertConvWeights(int Layer, int InChannels, int OutChannels, int Kernel, int Stride, Tensor Weight, Tensor? Bias, LayerNormWeights? Norm,
    Tensor? Direct = null, Tensor? DirectBias = null);

/// <summary>One transformer layer: attention and feed-forward, each with its LayerNorm (pre- or post-norm by config).</summary>
public sealed record HubertLayerWeights(LayerNormWeights AttentionNorm, AttentionWeights Attention, LayerNormWeights FeedForwardNorm, LinearWeights Up, LinearWeights Down);

/// <summary>
/// All encoder tensors of a GGUF file (names and layouts in <see cref="HubertKeys"/>), checked against the config and
/// uploaded to a backend. Owns the backend memory holding them.
/// </summary>
public sealed class HubertWeights : IDisposable
{
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public HubertWeights(GgufFile file, HubertConfig config, ComputeBackend backend)
    {
        Config = config.Validate();
        _store = WeightBinder.NewStore(file, backend, 4L * config.ConvLayers + 16L * config.NumHiddenLayers + 16, int8Products: true);
        try
        {
            var b = new WeightBinder(file, _store);
            long h = config.HiddenSize, ff = config.IntermediateSize;
            LayerNormWeights Norm(string weight, string bias, long width, double eps) =>
                new(b.Require(weight, [width], GgmlType.F32), b.Require(bias, [width], GgmlType.F32), (float)eps);
            // the projections are only ever multiplied whole (packed or repacked where the CPU has kernels for them);
            // the grouped positional conv's matrix is viewed per group by ggml's ops, so it stays plain unless our
            // integer kernel takes it whole (HubertGraph.PositionalEmbedding)
            LinearWeights Linear(string weight, string bias, long inputs, long outputs) =>
                new(b.RequireMatrix(weight, [inputs, outputs], Matrices), b.Require(bias, [outputs], GgmlType.F32));
            LinearWeights Viewed(string weight, string bias, long inputs, long outputs) =>
                new(file.TryGetTensor(weight, out var info) && _store.PacksInt8 && Int8Products.Takes(backend, info.Type, [inputs, outputs])
                        && (outputs / config.NumConvPosEmbeddingGroups) % Int8Layout.Rows == 0
                        ? b.RequireMatrix(weight, [inputs, outputs], Matrices)
                        : b.Require(weight, [inputs, outputs], Matrices),
                    b.Require(bias, [outputs], GgmlType.F32));

            Convs = Enumerable.Range(0, config.ConvLayers).Select(i =>
            {
                int cin = i == 0 ? 1 : config.ConvDim[i - 1], cout = config.ConvDim[i], k = config.ConvKernel[i];
                var weight = b.RequireMatrix(HubertKeys.ConvWeight(i), [(long)k * cin, cout], Matrices); // multiplied whole with im2col's columns
                var bias = config.ConvBias ? b.Require(HubertKeys.ConvBiasTensor(i), [cout], GgmlType.F32) : (Tensor?)null;
                var norm = config.UsesLayerNormConvs || i == 0
                    ? Norm(HubertKeys.ConvNormWeight(i), HubertKeys.ConvNormBias(i), cout, HubertConfig.ConvNormEps)
                    : null;
                if (!backend.IsCpu || (long)k * cin % 32 == 0 || cout < 8) return new HubertConvWeights(i, cin, cout, k, config.ConvStride[i], weight, bias, norm);
                // ggml's product over rows shorter than a block is slow (a few GFLOP/s): our direct kernel instead
                var spec = new ConvSpec("hubert", i, cin, cout, k, config.ConvStride[i]);
                var direct = b.Derive(weight, ConvLayouts.DirectShape(spec), values => ConvLayouts.Direct(values, spec));
                var directBias = bias ?? b.Derive(weight, [cout], _ => new float[cout]);
                return new HubertConvWeights(i, cin, cout, k, config.ConvStride[i], weight, bias, norm, direct, directBias);
            }).ToArray();
            FeatureProjectionNorm = config.FeatProjLayerNorm
                ? Norm(HubertKeys.FeatureProjectionNormWeight, HubertKeys.FeatureProjectionNormBias, config.ConvChannels, config.LayerNormEps)
                : null;
            FeatureProjection = Linear(HubertKeys.FeatureProjectionWeight, HubertKeys.FeatureProjectionBias, config.ConvChannels, h);
            PositionalConv = Viewed(HubertKeys.PositionalConvWeight, HubertKeys.PositionalConvBias,
                (long)config.NumConvPosEmbeddings * (h / config.NumConvPosEmbeddingGroups), h);
            EncoderNorm = Norm(HubertKeys.EncoderNormWeight, HubertKeys.EncoderNormBias, h, config.LayerNormEps);
            Layers = Enumerable.Range(0, config.NumHiddenLayers).Select(i => new HubertLayerWeights(
                Norm(HubertKeys.AttentionNorm(i, "weight"), HubertKeys.AttentionNorm(i, "bias"), h, config.LayerNormEps),
                new AttentionWeights(
                    Linear(HubertKeys.Query(i, "weight"), HubertKeys.Query(i, "bias"), h, h),
                    Linear(HubertKeys.Key(i, "weight"), HubertKeys.Key(i, "bias"), h, h),
                    Linear(HubertKeys.Value(i, "weight"), HubertKeys.Value(i, "bias"), h, h),
                    Linear(HubertKeys.Output(i, "weight"), HubertKeys.Output(i, "bias"), h, h),
                    config.NumAttentionHeads),
                Norm(HubertKeys.FeedForwardNorm(i, "weight"), HubertKeys.FeedForwardNorm(i, "bias"), h, config.LayerNormEps),
                Linear(HubertKeys.Up(i, "weight"), HubertKeys.Up(i, "bias"), h, ff),
                Linear(HubertKeys.Down(i, "weight"), HubertKeys.Down(i, "bias"), ff, h))).ToArray();
            b.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public HubertConfig Config { get; }
    public IReadOnlyList<HubertConvWeights> Convs { get; }
    public LayerNormWeights? FeatureProjectionNorm { get; }
    public LinearWeights FeatureProjection { get; }

    /// <summary>The grouped positional conv as a matrix {taps·hidden/groups, hidden} and its bias.</summary>
    public LinearWeights PositionalConv { get; }
    public LayerNormWeights EncoderNorm { get; }
    public IReadOnlyList<HubertLayerWeights> Layers { get; }
    public long ResidentBytes => _store.AllocatedBytes;
    public ComputeBackend Backend => _store.Backend;

    public void Dispose() => _store.Dispose();
}
