using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// Builds the HuBERT forward pass (transformers' HubertModel in eval mode; MERTModel is the same network) in two
/// graphs: the conv feature encoder (<see cref="FeatureEncoder"/>: samples -> conv features), and the transformer
/// (<see cref="Encode"/>: conv features -> every hidden state). The conv stack only looks at a fixed receptive field
/// per frame, so with layer-norm convs the runner feeds it time chunks, bounding its memory. Pure graph construction:
/// the runner allocates, fills inputs and computes. Shapes in ggml order: samples time-first {S, 1, B}, everything
/// after channels-first {channels, frames, B}.
/// </summary>
public sealed class HubertGraph(GgmlContext ctx, HubertWeights weights)
{
    private readonly HubertConfig _c = weights.Config;

    /// <summary>Tensors the feature-encoder graph needs: sizes its context and executor.</summary>
    public static int FeatureEncoderCapacity(HubertConfig c) => 16 * c.ConvLayers + 32;

    /// <summary>Tensors the transformer graph needs for <paramref name="frames"/> frames in query blocks of <paramref name="queryBlock"/>.</summary>
    public static int EncoderCapacity(HubertConfig c, long frames, int queryBlock)
    {
        var blocks = (int)((frames + queryBlock - 1) / queryBlock);
        return 12 * c.NumConvPosEmbeddingGroups + c.NumHiddenLayers * (40 + 14 * blocks) + 4 * c.HiddenStateCount + 64;
    }

    /// <summary>
    /// HubertFeatureEncoder: each conv as im2col + one product, then its norm (LayerNorm over channels per frame for
    /// "layer"; for "group", layer 0's GroupNorm with one group per channel, over time) and the activation.
    /// </summary>
    /// <param name="samples">Input values {S, 1, B}, time-first.</param>
    /// <returns>Conv features {conv_dim[-1], frames, B}.</returns>
    public Tensor FeatureEncoder(Tensor samples)
    {
        var x = Signal.FromTimeFirst(samples);
        foreach (var conv in weights.Convs)
        {
            var y = Conv(conv, x);                                                             // {out, T, B}
            if (conv.Norm is { } norm && _c.UsesLayerNormConvs)
                x = Signal.FromChannelsFirst(Activate(norm.Apply(ctx, y), _c.FeatureActivation));
            else if (conv.Norm is { } groupNorm)
                x = Signal.FromTimeFirst(Activate(GroupNormOverTime(groupNorm, y), _c.FeatureActivation));
            else
                x = Signal.FromChannelsFirst(Activate(y, _c.FeatureActivation));
        }
        return x.AsChannelsFirst(ctx).Named("hubert.conv_features");
    }

    // one conv with its bias: integer products straight from channels-first frames where its kernel is packed, our
    // direct kernel where it has one (the first conv, over raw samples), else im2col and a product
    private Tensor Conv(HubertConvWeights conv, Signal x)
    {
        if (conv.Direct is { } direct && CpuKernels && x.Data.Ne2 == 1)
            return ctx.ConvFrames(ctx.Cont(x.AsChannelsFirst(ctx)), direct, conv.DirectBias!.Value, conv.Kernel, conv.Stride, 1);
        var y = conv.Weight.IsInt8Packed
            ? ctx.Int8ConvFrames(conv.Weight, x.AsChannelsFirst(ctx), conv.Kernel, conv.Stride)
            : ctx.MulMat(conv.Weight, Im2Col(conv, x));
        return conv.Bias is { } bias ? ctx.Add(y, bias) : y;
    }

    // {k·in, T, B} from the time-first signal
    private Tensor Im2Col(HubertConvWeights conv, Signal x)
    {
        var shape = ctx.NewTensor(GgmlType.F16, conv.Kernel, conv.InChannels);                 // im2col reads only its shape
        return ctx.Im2Col1d(shape, x.AsTimeFirst(ctx), conv.Stride, 0, 1);
    }

    // nn.GroupNorm(C, C): every channel normalized over its frames; {C, T, B} -> time-first {T, C, B}
    private Tensor GroupNormOverTime(LayerNormWeights norm, Tensor channelsFirst)
    {
        var timeFirst = ctx.Cont(ctx.Transpose(channelsFirst));
        var channels = channelsFirst.Ne0;
        var normalized = ctx.Norm(timeFirst, norm.Eps);
        return ctx.Add(ctx.Mul(normalized, ctx.Reshape(norm.Weight, 1, channels)), ctx.Reshape(norm.Bias, 1, channels));
    }

    /// <summary>
    /// Feature projection, positional conv embedding and the transformer layers. Returns every hidden state {hidden,
    /// frames, B} as transformers' output_hidden_states lists them: stable layer norm gives [embeddings, layer 0 ..
    /// layer L-2 outputs, encoder.layer_norm(layer L-1 output)]; post-norm gives [encoder.layer_norm(embeddings), layer
    /// 0 .. L-1 outputs].
    /// </summary>
    /// <param name="features">Conv features {conv_dim[-1], T, B}.</param>
    /// <param name="frameMask">{1, T, B}: 1 for real frames, 0 for padding (zeroed before the positional conv), or null.</param>
    /// <param name="keyMask">{T, min(T, queryBlock), 1, B}: 0 to attend, float.MinValue for padded keys, or null.</param>
    /// <param name="queryBlock">Queries attended at once: bounds the score matrix to {T, queryBlock, heads, B}.</param>
    public IReadOnlyList<Tensor> Encode(Tensor features, Tensor? frameMask, Tensor? keyMask, int queryBlock)
    {
        if (queryBlock < 1) throw new ArgumentOutOfRangeException(nameof(queryBlock), queryBlock, "at least one query per block");
        var x = features;
        if (weights.FeatureProjectionNorm is { } projectionNorm) x = projectionNorm.Apply(ctx, x);
        x = weights.FeatureProjection.Apply(ctx, x);                                          // {hidden, T, B}
        if (frameMask is { } m) x = ctx.Mul(x, m);
        x = ctx.Add(x, PositionalEmbedding(x));
        var states = new List<Tensor>(_c.HiddenStateCount);
        if (_c.DoStableLayerNorm)
        {
            foreach (var layer in weights.Layers)
            {
                states.Add(x);
                x = ctx.Add(x, SelfAttention(layer.Attention, layer.AttentionNorm.Apply(ctx, x), keyMask, queryBlock));
                x = ctx.Add(x, FeedForward(layer, layer.FeedForwardNorm.Apply(ctx, x)));
            }
            states.Add(weights.EncoderNorm.Apply(ctx, x));
        }
        else
        {
            x = weights.EncoderNorm.Apply(ctx, x);
            foreach (var layer in weights.Layers)
            {
                states.Add(x);
                x = layer.AttentionNorm.Apply(ctx, ctx.Add(x, SelfAttention(layer.Attention, x, keyMask, queryBlock)));
                x = layer.FeedForwardNorm.Apply(ctx, ctx.Add(x, FeedForward(layer, x)));
            }
            states.Add(x);
        }
        for (var i = 0; i < states.Count; i++) states[i] = states[i].Named($"hubert.hidden_state.{i}");
        return states;
    }

    /// <summary>
    /// HubertPositionalConvEmbedding: a grouped conv (padding taps/2, one trailing frame dropped for an even kernel)
    /// and the feature activation. Each group is its own im2col + product over the time-first signal, so only one
    /// group's columns {taps·hidden/groups, T, B} exist at a time.
    /// </summary>
    public Tensor PositionalEmbedding(Tensor x)
    {
        int groups = _c.NumConvPosEmbeddingGroups, taps = _c.NumConvPosEmbeddings;
        long width = x.Ne0 / groups, frames = x.Ne1, batch = x.Ne2;
        var timeFirst = ctx.Cont(ctx.Transpose(x));                                            // {T, hidden, B}
        var weight = weights.PositionalConv.Weight;                                             // {taps·width, hidden}
        if (weight.IsInt8Packed)
        {
            var y = ctx.Int8GroupedConv(weight, timeFirst, taps, groups, taps / 2);             // {hidden, T', B}
            if (y.Ne1 != frames) y = ctx.Cont(ctx.View(y, [y.Ne0, frames, batch], [y.Nb(1), y.Nb(2)], 0));
            return Activate(ctx.Add(y, weights.PositionalConv.Bias!.Value), _c.FeatureActivation).Named("hubert.pos_conv");
        }
        Tensor? result = null;
        for (var g = 0; g < groups; g++)
        {
            var part = ctx.View(timeFirst, [frames, width, batch], [timeFirst.Nb(1), timeFirst.Nb(2)], g * width * timeFirst.Nb(1));
            if (batch > 1) part = ctx.Cont(part);
            var shape = ctx.NewTensor(GgmlType.F16, taps, width);
            var columns = ctx.Im2Col1d(shape, part, 1, taps / 2, 1);                           // {taps·width, T', B}
            var groupWeight = ctx.View(weight, [weight.Ne0, width], [weight.Nb(1)], g * width * weight.Nb(1));
            var y = ctx.MulMat(groupWeight, columns);                                           // {width, T', B}
            if (y.Ne1 != frames) y = ctx.Cont(ctx.View(y, [width, frames, batch], [y.Nb(1), y.Nb(2)], 0));
            result = result is { } r ? ctx.Concat(r, y, 0) : y;
        }
        return Activate(ctx.Add(result!.Value, weights.PositionalConv.Bias!.Value), _c.FeatureActivation).Named("hubert.pos_conv");
    }

    /// <summary>
    /// Whether unmasked attention is one fused node (<see cref="MultiHeadAttention.AttendUnmasked"/>: no score matrix, so
    /// no query blocks); by default on the CPU. Masked batches (padded clips) keep the plain ops.
    /// </summary>
    public bool FusedAttention { get; init; } = MultiHeadAttention.FusedByDefault(weights.Backend);

    /// <summary>Whether GELU runs as our C# kernel (<see cref="GgmlContext.GeluErfKernel"/>); by default on the CPU.</summary>
    public bool CpuKernels { get; init; } = weights.Backend.IsCpu;

    /// <summary>HubertAttention: out(softmax(q·kᵀ/sqrt(head_dim) + key mask)·v), queries taken in blocks.</summary>
    public Tensor SelfAttention(AttentionWeights w, Tensor x, Tensor? keyMask, int queryBlock)
    {
        var q = w.Query.Apply(ctx, x);
        if (FusedAttention && keyMask is null)
            return w.Output.Apply(ctx, MultiHeadAttention.AttendUnmasked(ctx, w, q, w.Key.Apply(ctx, x), w.Value.Apply(ctx, x)));
        var keys = MultiHeadAttention.Keys(ctx, w.Key.Apply(ctx, x), w.Heads);                 // {hd, T, H, B}
        var values = MultiHeadAttention.ValuesTransposed(ctx, w.Value.Apply(ctx, x), w.Heads); // {T, hd, H, B}
        var frames = q.Ne1;
        Tensor? mixed = null;
        for (long start = 0; start < frames; start += queryBlock)
        {
            var count = Math.Min(queryBlock, frames - start);
            var block = count == frames ? q : ctx.Cont(ctx.View(q, [q.Ne0, count, q.Ne2], [q.Nb(1), q.Nb(2)], start * q.Nb(1)));
            var part = MultiHeadAttention.Attend(ctx, block, keys, values, keyMask, w.Heads, w.Scale);
            mixed = mixed is { } m ? ctx.Concat(m, part, 1) : part;
        }
        return w.Output.Apply(ctx, mixed!.Value);
    }

    /// <summary>HubertFeedForward: output_dense(act(intermediate_dense(x))).</summary>
    public Tensor FeedForward(HubertLayerWeights w, Tensor x) => w.Down.Apply(ctx, Activate(w.Up.Apply(ctx, x), _c.HiddenActivation));

    /// <summary>Σ over frames of a state {hidden, T, B} weighted by <paramref name="frameWeights"/> {T, 1, B}: {hidden, 1, B}.</summary>
    public Tensor SumOverFrames(Tensor state, Tensor frameWeights) =>
        ctx.OutProd(state, ctx.Reshape(frameWeights, 1, frameWeights.Ne0, frameWeights.Ne1 * frameWeights.Ne2)); // state read in place, no transpose

    private Tensor Activate(Tensor t, HubertActivation activation) => activation switch
    {
        // our vectorized erf on the CPU (ggml's op calls libm's erff per element: ~15 % of the conv stack)
        HubertActivation.Gelu => CpuKernels && t.IsContiguous ? ctx.GeluErfKernel(t) : ctx.GeluErf(t),
        HubertActivation.Relu => ctx.Relu(t),
        HubertActivation.Silu => ctx.Silu(t),
        var a => throw new NotSupportedException($"HuBERT activation {a}"),
    };
}
