using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// Builds LLaMA graphs (Meta's llama/model.py Transformer, transformers' LlamaForCausalLM, llama.cpp's
/// src/models/llama.cpp): token embedding, blocks h = x + Attn(RMSNorm(x)); out = h + SwiGLU(RMSNorm(h)), the final
/// RMSNorm and the LM head. Pure construction over one sequence; the runner allocates, fills inputs and computes.
/// Activations are {dim, n}; token ids and positions are I32 {n}.
/// </summary>
public sealed class LlamaGraph(GgmlContext ctx, LlamaWeights weights, IAttentionOutputHook? hook = null)
{
    private readonly LlamaConfig _c = weights.Config;

    /// <summary>Context tensors a graph over every block may need (about 80 per block: see <see cref="Block"/>).</summary>
    public static int Capacity(LlamaConfig c) => 112 * c.BlockCount + 64;

    /// <summary>
    /// Whether graphs on <paramref name="backend"/> take our one-query attention kernel: CPU only, and only with worker
    /// threads kept between graphs (each fresh thread would be attached to .NET), as MusicGen's decoder decides.
    /// </summary>
    public static bool UsesCpuKernels(ComputeBackend backend) => backend is { IsCpu: true } b && (b.Threads == 1 || b.KeepsWorkerThreads);

    /// <summary>tok_embeddings(tokens): {dim, n}.</summary>
    public Tensor Embed(Tensor tokens) => ctx.GetRows(weights.TokenEmbedding, tokens).Named("inp_embd");

    /// <summary>One block at the positions {n}; <paramref name="mask"/> is causal over the keys the memory returns.</summary>
    public Tensor Block(int layer, Tensor x, Tensor positions, Tensor? mask, AttentionMemory memory)
    {
        var w = weights.Layers[layer];
        var attention = w.Attention.Apply(ctx, layer, w.AttentionNorm.Apply(ctx, x), positions, weights.Rotary, mask, memory, hook,
            UsesCpuKernels(weights.Backend));
        var h = ctx.Add(x, attention);
        return ctx.Add(h, w.FeedForward.Apply(ctx, w.FeedForwardNorm.Apply(ctx, h))).Named($"l_out-{layer}");
    }

    /// <summary>
    /// Every block over embedded inputs {dim, n}: the last block's output before the final norm (M2UGen's hidden state
    /// of [AUD] tokens). <paramref name="layerOutput"/> sees each block's output as it is built.
    /// </summary>
    public Tensor Blocks(Tensor x, Tensor positions, Tensor? mask, AttentionMemory memory, Action<int, Tensor>? layerOutput = null)
    {
        for (var i = 0; i < _c.BlockCount; i++)
        {
            x = Block(i, x, positions, mask, memory);
            layerOutput?.Invoke(i, x);
        }
        return x;
    }

    /// <summary>The final RMSNorm.</summary>
    public Tensor Norm(Tensor hidden) => weights.OutputNorm.Apply(ctx, hidden).Named("result_norm");

    /// <summary>The LM head on normed states {dim, n}: {vocab, n}.</summary>
    public Tensor Logits(Tensor normed) => ctx.MulMat(weights.Output, normed).Named("result_output");

    /// <summary>The last position of {dim, n}, as {dim, 1}.</summary>
    public Tensor LastPosition(Tensor x) =>
        x.Ne1 == 1 ? x : ctx.Cont(ctx.View(x, [x.Ne0, 1], [x.Nb(1)], (x.Ne1 - 1) * x.Nb(1)));

    /// <summary>Attention over the sequence's own keys and values (no cache): teacher forcing.</summary>
    public AttentionMemory Uncached()
    {
        var heads = _c.HeadCountKv;
        return (_, k, v) => (MultiHeadAttention.Keys(ctx, k, heads), MultiHeadAttention.ValuesTransposed(ctx, v, heads));
    }
}
