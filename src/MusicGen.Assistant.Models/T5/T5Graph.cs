using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// Builds the T5 encoder forward pass (transformers' T5EncoderModel in eval mode) for a padded batch. Pure graph
/// construction: the runner allocates, fills the inputs and computes. Shapes in ggml order; hidden states are
/// {d_model, L, B}. T5 specifics: RMS norm without mean or bias, no 1/sqrt(d_kv) scaling of the scores, and one
/// learned relative position bias (block 0's) added to the scores of every block together with the padding bias.
/// </summary>
public sealed class T5Graph(GgmlContext ctx, T5Weights weights)
{
    private readonly T5Config _c = weights.Config;

    /// <summary>Tensors per block plus the fixed ones: sizes the context and the executor.</summary>
    public static int Capacity(T5Config c) => 48 * c.NumLayers + 64;

    /// <summary>
    /// The encoder's last_hidden_state {d_model, L, B}.
    /// </summary>
    /// <param name="ids">Token ids {L·B} I32, batch-major (row b at [b·L, (b+1)·L)).</param>
    /// <param name="buckets">Relative position buckets {L·L} I32 from <see cref="T5RelativePosition.Grid"/>.</param>
    /// <param name="keyBias">Additive key mask {L, 1, 1, B} F32: 0 for real tokens, float.MinValue for padding.</param>
    public Tensor Encode(Tensor ids, Tensor buckets, Tensor keyBias, int length, int batch)
    {
        var x = ctx.Reshape(ctx.GetRows(weights.TokenEmbedding, ids), _c.DModel, length, batch);
        var positionBias = PositionBias(buckets, length);
        foreach (var block in weights.Blocks)
        {
            x = ctx.Add(x, SelfAttention(block, Norm(x, block.AttentionNorm), positionBias, keyBias, length, batch));
            x = ctx.Add(x, FeedForward(block, Norm(x, block.FeedForwardNorm)));
        }
        return Norm(x, weights.FinalNorm);
    }

    /// <summary>The learned bias of each (key, query, head): {Lk, Lq, heads}, shared by all blocks.</summary>
    public Tensor PositionBias(Tensor buckets, int length)
    {
        var rows = ctx.GetRows(weights.RelativeAttentionBias, buckets);                     // {H, Lk·Lq}
        var bias = ctx.Reshape(rows, _c.NumHeads, length, length);                           // {H, Lk, Lq}
        return ctx.Cont(ctx.Permute(bias, 2, 0, 1, 3));                                      // {Lk, Lq, H}
    }

    /// <summary>T5LayerNorm: x / sqrt(mean(x²) + eps) · w.</summary>
    public Tensor Norm(Tensor x, Tensor weight) => ctx.Mul(ctx.RmsNorm(x, (float)_c.LayerNormEpsilon), weight);

    /// <summary>T5Attention (encoder, unscaled): o(softmax(q·kᵀ + position bias + key mask)·v).</summary>
    public Tensor SelfAttention(T5BlockWeights w, Tensor x, Tensor positionBias, Tensor keyBias, int length, int batch)
    {
        int dk = _c.DKv, heads = _c.NumHeads;
        Tensor Heads(Tensor projection) => ctx.Reshape(ctx.MulMat(projection, x), dk, heads, length, batch);
        var q = ctx.Permute(Heads(w.Query), 0, 2, 1, 3);                                    // {dk, Lq, H, B}
        var k = ctx.Permute(Heads(w.Key), 0, 2, 1, 3);                                      // {dk, Lk, H, B}
        var vT = ctx.Cont(ctx.Permute(Heads(w.Value), 1, 2, 0, 3));                         // {Lk, dk, H, B}
        var scores = ctx.Add(ctx.Add(ctx.MulMat(k, q), positionBias), keyBias);            // {Lk, Lq, H, B}
        var attention = ctx.SoftMax(scores);
        var mixed = ctx.MulMat(vT, attention);                                               // {dk, Lq, H, B}
        var merged = ctx.Reshape(ctx.Cont(ctx.Permute(mixed, 0, 2, 1, 3)), _c.InnerDim, length, batch);
        return ctx.MulMat(w.Output, merged);
    }

    /// <summary>T5DenseActDense wo(act(wi x)) or T5DenseGatedActDense wo(act(wi_0 x) · wi_1 x); no biases.</summary>
    public Tensor FeedForward(T5BlockWeights w, Tensor x)
    {
        var up = ctx.MulMat(w.Up, x);
        var hidden = w.Gate is { } gate ? ctx.Mul(Activate(ctx.MulMat(gate, x)), up) : Activate(up);
        return ctx.MulMat(w.Down, hidden);
    }

    private Tensor Activate(Tensor t) => _c.Activation switch
    {
        T5Activation.Relu => ctx.Relu(t),
        T5Activation.Gelu => ctx.GeluErf(t),
        T5Activation.GeluNew => GeluNew(t),
        T5Activation.Silu => ctx.Silu(t),
        var a => throw new NotSupportedException($"T5 activation {a}"),
    };

    // gelu_new = 0.5·x·(1 + tanh(z)) = x·sigmoid(2z), z = sqrt(2/π)·(x + 0.044715·x³). Composed from float ops because
    // ggml's CPU gelu reads an fp16 table (about 1e-3 relative error), far outside the parity tolerances.
    private Tensor GeluNew(Tensor x)
    {
        var cubic = ctx.Add(x, ctx.Scale(ctx.Mul(ctx.Sqr(x), x), 0.044715f));
        return ctx.Mul(x, ctx.Sigmoid(ctx.Scale(cubic, 2 * MathF.Sqrt(2 / MathF.PI))));
    }
}
