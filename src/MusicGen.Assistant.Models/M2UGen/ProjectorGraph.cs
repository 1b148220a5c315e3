using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The named intermediate tensors of one projector pass (ggml order; N input tokens, Q queries, B items).</summary>
public sealed record ProjectorStageTensors(Tensor Fc, Tensor Memory, Tensor Decoded, Tensor Output, Tensor Scaled)
{
    public IEnumerable<Tensor> All => [Fc, Memory, Decoded, Output, Scaled];
}

/// <summary>
/// Builds M2UGen's output projector (M2UGen/llama/projector.py ProjectionLayer.forward; torch.nn.Transformer with
/// norm_first=False, ReLU, no dropout, no masks, batch_first). Pure graph construction. Shapes in ggml order:
/// hidden states + [AUD] embeddings {in_dim, N, B} → fc {d, N, B} → encoder (memory) {d, N, B};
/// query_embs {d, Q} repeated over B → decoder {d, Q, B} → model {out_dim, Q, B} → × output scale.
/// </summary>
public sealed class ProjectorGraph(GgmlContext ctx, ProjectorWeights weights)
{
    private readonly ProjectorConfig _c = weights.Config;

    /// <summary>Tensors the graph creates: sizes the context and the executor.</summary>
    public static int Capacity(ProjectorConfig c) => 48 * c.EncoderLayers + 96 * c.DecoderLayers + 32;

    /// <param name="hidden">The LLaMA's last-layer hidden states at the [AUD] positions, {in_dim, N, B}.</param>
    /// <param name="audEmbeddings">The [AUD0..N-1] token embeddings, {in_dim, N} (shared by the batch) or {in_dim, N, B}.</param>
    public ProjectorStageTensors BuildOutputProjector(Tensor hidden, Tensor audEmbeddings)
    {
        // x = x + input_embs; x = self.fc(x)
        var fc = Named(weights.Fc.Apply(ctx, ctx.Add(hidden, audEmbeddings)), "fc");
        var memory = fc;
        foreach (var block in weights.Encoder) memory = EncoderBlock(block, memory);
        memory = Named(weights.EncoderNorm.Apply(ctx, memory), "memory");

        // tgt = query_embs.repeat(B, 1, 1)
        var batch = hidden.Ne2;
        var y = batch == 1 ? weights.QueryEmbeddings
            : ctx.Repeat(weights.QueryEmbeddings, ctx.NewTensor(GgmlType.F32, _c.DModel, _c.OutputTokens, batch));
        foreach (var block in weights.Decoder) y = DecoderBlock(block, y, memory);
        var decoded = Named(weights.DecoderNorm.Apply(ctx, y), "decoded");

        var output = Named(weights.Output.Apply(ctx, decoded), "output");
        var scaled = Named(ctx.Scale(output, (float)_c.OutputScale), "scaled");
        return new ProjectorStageTensors(fc, memory, decoded, output, scaled);
    }

    /// <summary>nn.TransformerEncoderLayer, post-LN: x = norm1(x + SA(x)); x = norm2(x + FF(x)).</summary>
    public Tensor EncoderBlock(ProjectorEncoderBlockWeights w, Tensor x)
    {
        x = w.AttentionNorm.Apply(ctx, ctx.Add(x, Attention(w.SelfAttention, x, x)));
        return w.FeedForwardNorm.Apply(ctx, ctx.Add(x, w.FeedForward.Apply(ctx, x)));
    }

    /// <summary>
    /// nn.TransformerDecoderLayer, post-LN: y = norm1(y + SA(y)); y = norm2(y + CA(y, memory)); y = norm3(y + FF(y)).
    /// </summary>
    public Tensor DecoderBlock(ProjectorDecoderBlockWeights w, Tensor y, Tensor memory)
    {
        y = w.AttentionNorm.Apply(ctx, ctx.Add(y, Attention(w.SelfAttention, y, y)));
        y = w.CrossNorm.Apply(ctx, ctx.Add(y, Attention(w.CrossAttention, y, memory)));
        return w.FeedForwardNorm.Apply(ctx, ctx.Add(y, w.FeedForward.Apply(ctx, y)));
    }

    /// <summary>nn.MultiheadAttention without masks: out_proj(softmax(q·kᵀ/√head_dim)·v), q from x, k and v from source.</summary>
    public Tensor Attention(AttentionWeights a, Tensor x, Tensor source)
    {
        var q = a.Query.Apply(ctx, x);
        var k = MultiHeadAttention.Keys(ctx, a.Key.Apply(ctx, source), a.Heads);
        var v = MultiHeadAttention.ValuesTransposed(ctx, a.Value.Apply(ctx, source), a.Heads);
        return a.Output.Apply(ctx, MultiHeadAttention.Attend(ctx, q, k, v, null, a.Heads, a.Scale));
    }

    private static Tensor Named(Tensor t, string stage) => t.Named($"projector.{stage}");
}
