using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// Builds the ViT / ViViT encoder forward pass (transformers' ViTModel and VivitModel in eval mode; the two share
/// every block) for a batch of pre-extracted patches. Pure graph construction: the runner allocates, fills the input
/// and computes. Hidden states are {D, S, B} with S = 1 + patches, the CLS token first.
/// </summary>
public sealed class VisionTransformerGraph(GgmlContext ctx, VisionTransformerWeights weights)
{
    private readonly VisionTransformerConfig _c = weights.Config;

    /// <summary>Tensors per block plus the fixed ones: sizes the context and the executor.</summary>
    public static int Capacity(VisionTransformerConfig c) => 48 * c.NumHiddenLayers + 64;

    /// <summary>The graph's results: hidden_states[0..L], the final-normed last state and the pooler output.</summary>
    public sealed record Outputs(IReadOnlyList<Tensor> HiddenStates, Tensor LastHiddenState, Tensor? PoolerOutput);

    /// <param name="patches">{C·pt·ph·pw, patches, B}: each patch flattened in the kernel's (channel, frame, row,
    /// column) order (<see cref="PatchExtractor"/>).</param>
    public Outputs Encode(Tensor patches)
    {
        var states = new List<Tensor> { Embed(patches) };
        foreach (var block in weights.Blocks) states.Add(Block(block, states[^1]));
        var last = weights.FinalNorm.Apply(ctx, states[^1]);
        return new Outputs(states, last, weights.Pooler is { } p ? Pool(p, last) : null);
    }

    /// <summary>
    /// ViTEmbeddings / VivitEmbeddings: [CLS; patch·W + b] + position embeddings -> {D, S, B}. The CLS token is added
    /// to row 0 of the position table instead of being concatenated (a zero row is padded in front of the patches),
    /// which is the same sum without a per-batch repeat.
    /// </summary>
    public Tensor Embed(Tensor patches)
    {
        var projected = weights.PatchEmbedding.Apply(ctx, patches);                       // {D, N, B}
        var withClsSlot = ctx.PadZeros(projected, 0, 0, 1, 0);                             // {D, S, B}, row 0 = 0
        var cls = ctx.PadZeros(ctx.Reshape(weights.ClassEmbedding, _c.HiddenSize, 1), 0, 0, 0, _c.NumPatches);
        return ctx.Add(withClsSlot, ctx.Add(weights.PositionEmbedding, cls));              // {D, S} broadcast over B
    }

    /// <summary>ViTLayer: x + attention(layernorm_before(x)), then h + output(act(intermediate(layernorm_after(h)))).</summary>
    public Tensor Block(VisionBlockWeights w, Tensor x)
    {
        var h = ctx.Add(x, SelfAttention(w.Attention, w.BeforeNorm.Apply(ctx, x)));
        return ctx.Add(h, w.Down.Apply(ctx, Activate(w.Up.Apply(ctx, w.AfterNorm.Apply(ctx, h)))));
    }

    /// <summary>Whether GELU runs as our C# kernel (<see cref="GgmlContext.GeluErfKernel"/>); by default on the CPU.</summary>
    public bool CpuKernels { get; init; } = weights.Backend.IsCpu;

    /// <summary>Whether attention is one fused node (<see cref="MultiHeadAttention.AttendUnmasked"/>); by default on the CPU.</summary>
    public bool FusedAttention { get; init; } = MultiHeadAttention.FusedByDefault(weights.Backend);

    /// <summary>ViTSelfAttention + ViTSelfOutput: dense(softmax(q·kᵀ/√d)·v), no mask (every patch sees every patch).</summary>
    public Tensor SelfAttention(AttentionWeights a, Tensor x)
    {
        var q = a.Query.Apply(ctx, x);
        if (FusedAttention)
            return a.Output.Apply(ctx, MultiHeadAttention.AttendUnmasked(ctx, a, q, a.Key.Apply(ctx, x), a.Value.Apply(ctx, x)));
        var k = MultiHeadAttention.Keys(ctx, a.Key.Apply(ctx, x), a.Heads);
        var v = MultiHeadAttention.ValuesTransposed(ctx, a.Value.Apply(ctx, x), a.Heads);
        return a.Output.Apply(ctx, MultiHeadAttention.Attend(ctx, q, k, v, null, a.Heads, a.Scale));
    }

    /// <summary>ViTPooler: tanh(dense(last_hidden_state[:, 0])) -> {D, B}.</summary>
    public Tensor Pool(LinearWeights pooler, Tensor last)
    {
        var cls = ctx.View(last, [last.Ne0, last.Ne2], [last.Nb(2)], 0);                  // {D, B}, token 0 of each row
        return ctx.Tanh(pooler.Apply(ctx, ctx.Cont(cls)));
    }

    private Tensor Activate(Tensor t) => _c.Activation switch
    {
        // our vectorized erf on the CPU (ggml's op calls libm's erff per element)
        VisionActivation.Gelu => CpuKernels && t.IsContiguous ? ctx.GeluErfKernel(t) : ctx.GeluErf(t),
        VisionActivation.GeluTanh => CpuKernels && t.IsContiguous ? ctx.GeluTanhKernel(t) : GeluTanh(t),
        VisionActivation.QuickGelu => ctx.Mul(t, ctx.Sigmoid(ctx.Scale(t, 1.702f))),
        VisionActivation.Relu => ctx.Relu(t),
        VisionActivation.Silu => ctx.Silu(t),
        var a => throw new NotSupportedException($"vision activation {a}"),
    };

    // gelu_fast / gelu_new = 0.5·x·(1 + tanh(z)) = x·sigmoid(2z), z = √(2/π)·(x + 0.044715·x³). Composed from float ops
    // because ggml's CPU gelu reads an fp16 table (about 1e-3 relative error), far outside the parity tolerances
    // (on the CPU our kernel computes the same in one pass).
    private Tensor GeluTanh(Tensor x)
    {
        var cubic = ctx.Add(x, ctx.Scale(ctx.Mul(ctx.Sqr(x), x), 0.044715f));
        return ctx.Mul(x, ctx.Sigmoid(ctx.Scale(cubic, 2 * MathF.Sqrt(2 / MathF.PI))));
    }
}
