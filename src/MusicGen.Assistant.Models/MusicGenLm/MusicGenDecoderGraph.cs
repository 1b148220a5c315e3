using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Where a block's self-attention gets its keys and values: from the step's own projections {width, n, rows}
/// (teacher forcing) or from a cache the projections are first appended to. Returns per-head keys and transposed
/// values as <see cref="MultiHeadAttention.Attend"/> takes them.
/// </summary>
public delegate (Tensor Keys, Tensor ValuesTransposed) SelfAttentionMemory(int layer, Tensor keys, Tensor values);

/// <summary>Where a block's cross-attention reads the conditioning's keys and values (computed here, or cached once).</summary>
public delegate (Tensor Keys, Tensor ValuesTransposed) CrossAttentionMemory(int layer);

/// <summary>
/// Builds MusicGen decoder graphs (transformers' MusicgenForCausalLM, audiocraft's LMModel): the summed codebook
/// embeddings plus sinusoidal positions, pre-norm blocks, the final LayerNorm and one head per codebook. Pure graph
/// construction: the runner allocates, fills inputs and computes. Activations are {hidden, n, rows} (rows = batch
/// items of the step, conditional and unconditional rows alike).
/// </summary>
public sealed class MusicGenDecoderGraph(GgmlContext ctx, MusicGenDecoderWeights weights)
{
    private readonly MusicGenDecoderConfig _c = weights.Config;

    private bool CpuKernels => UsesCpuKernels(weights.Backend);

    /// <summary>
    /// How single-position steps multiply their rows by the weights (<see cref="ProductForm"/>; the decoder measures
    /// which is faster on its backend). Graphs over several positions always take one matrix.
    /// </summary>
    public ProductForm StepForm { get; init; } = ProductForm.OneMatrix;

    private Tensor Project(LinearWeights linear, Tensor x) => ProductForms.Apply(ctx, linear, x, StepForm);

    /// <summary>
    /// Whether graphs on <paramref name="backend"/> take our C# kernels (GELU, one-query attention): CPU only, and only
    /// with worker threads kept between graphs (else each graph pays for attaching fresh threads to .NET).
    /// </summary>
    internal static bool UsesCpuKernels(ComputeBackend backend) => backend is { IsCpu: true } b && (b.Threads == 1 || b.KeepsWorkerThreads);

    /// <summary>
    /// Σ_k Emb_k(tokens_k) + pos: <paramref name="tokens"/> holds per codebook the ids {n · rows} (position fastest),
    /// <paramref name="positions"/> the position ids {n}. Returns {hidden, n, rows}.
    /// </summary>
    public Tensor Embed(IReadOnlyList<Tensor> tokens, Tensor positions, long rows)
    {
        if (tokens.Count != _c.NumCodebooks) throw new ArgumentException($"{tokens.Count} token inputs for {_c.NumCodebooks} codebooks");
        var n = positions.Ne0;
        Tensor? sum = null;
        for (var k = 0; k < tokens.Count; k++)
        {
            var e = ctx.GetRows(weights.Embeddings[k], tokens[k]);                   // {hidden, n·rows}
            sum = sum is null ? e : ctx.Add(sum.Value, e);
        }
        var x = ctx.Reshape(sum!.Value, _c.HiddenSize, n, rows);
        if (_c.ScaleEmbedding) x = ctx.Scale(x, MathF.Sqrt(_c.HiddenSize));
        return ctx.Add(x, ctx.GetRows(weights.Positions, positions));                // positions broadcast over rows
    }

    /// <summary>
    /// A conditioning prefix {hidden, p, rows} (MusicGen-Melody's projected [chroma | text]) with the sinusoidal
    /// positions {p} added, as transformers adds them to the concatenated inputs_embeds; no token embedding.
    /// </summary>
    public Tensor EmbedPrefix(Tensor prefix, Tensor positions)
    {
        if (prefix.Ne0 != _c.HiddenSize || prefix.Ne1 != positions.Ne0)
            throw new ArgumentException($"prefix {prefix.ShapeText} is not {{{_c.HiddenSize}, {positions.Ne0}, rows}}", nameof(prefix));
        return ctx.Add(prefix, ctx.GetRows(weights.Positions, positions));
    }

    /// <summary>
    /// One pre-norm block: x += SelfAttn(LN(x)); x += CrossAttn(LN(x), cond); x += FFN(LN(x)). The self mask is
    /// causal over the step's keys (null for a single query), the cross mask blocks padded conditioning positions.
    /// Melody blocks have no cross-attention (<paramref name="cross"/> is then never called).
    /// </summary>
    public Tensor Block(int layer, Tensor x, SelfAttentionMemory self, CrossAttentionMemory cross, Tensor? selfMask, Tensor? crossMask)
    {
        var w = weights.Layers[layer];
        var sa = w.SelfAttention;
        var h = w.SelfAttentionNorm.Apply(ctx, x);
        // projections in the step's product form (Project): all rows as one matrix, or one slice per row
        var (keys, values) = self(layer, Project(sa.Key, h), Project(sa.Value, h));
        var q = Project(sa.Query, h);
        // an f16 cache (a session started with it on the CPU): one flash-attention node reads it, as llama.cpp's does
        var attended = MultiHeadAttention.OverFusedCache(ctx, keys, values, selfMask)
            ? MultiHeadAttention.AttendCached(ctx, q, keys, values, selfMask, sa.Heads, sa.Scale)
            : MultiHeadAttention.Attend(ctx, q, keys, values, selfMask, sa.Heads, sa.Scale, CpuKernels);
        x = ctx.Add(x, Project(sa.Output, attended));

        if (w.CrossAttention is { } ca)
        {
            h = w.CrossAttentionNorm!.Apply(ctx, x);
            var (ck, cv) = cross(layer);
            x = ctx.Add(x, Project(ca.Output, MultiHeadAttention.Attend(ctx, Project(ca.Query, h), ck, cv, crossMask, ca.Heads, ca.Scale, CpuKernels)));
        }

        h = w.FeedForwardNorm.Apply(ctx, x);
        return ctx.Add(x, w.FeedForward.ApplyAcrossRows(ctx, h, CpuKernels, StepForm));
    }

    /// <summary>A block's cross-attention keys and values {hidden, m, rows} of the conditioning {hidden, m, rows}.</summary>
    public (Tensor Keys, Tensor Values) CrossKeysValues(int layer, Tensor conditioning)
    {
        var ca = weights.Layers[layer].CrossAttention
                 ?? throw new InvalidOperationException($"block {layer} has no cross-attention (a melody decoder takes its conditioning as a prefix)");
        return (ca.Key.Apply(ctx, conditioning), ca.Value.Apply(ctx, conditioning));
    }

    /// <summary>The teacher-forcing memories: keys/values from the step itself and from the conditioning tensor.</summary>
    public (SelfAttentionMemory Self, CrossAttentionMemory Cross) Uncached(Tensor conditioning)
    {
        var heads = _c.NumAttentionHeads;
        return ((_, k, v) => (MultiHeadAttention.Keys(ctx, k, heads), MultiHeadAttention.ValuesTransposed(ctx, v, heads)),
                layer =>
                {
                    var (k, v) = CrossKeysValues(layer, conditioning);
                    return (MultiHeadAttention.Keys(ctx, k, heads), MultiHeadAttention.ValuesTransposed(ctx, v, heads));
                });
    }

    /// <summary>Embedding, every block and the final LayerNorm: {hidden, n, rows}.</summary>
    public Tensor Hidden(IReadOnlyList<Tensor> tokens, Tensor positions, long rows,
        SelfAttentionMemory self, CrossAttentionMemory cross, Tensor? selfMask, Tensor? crossMask)
    {
        return Hidden(Embed(tokens, positions, rows), self, cross, selfMask, crossMask);
    }

    /// <summary>Every block and the final LayerNorm over embedded inputs {hidden, n, rows}.</summary>
    public Tensor Hidden(Tensor x, SelfAttentionMemory self, CrossAttentionMemory cross, Tensor? selfMask, Tensor? crossMask)
    {
        for (var i = 0; i < _c.NumHiddenLayers; i++) x = Block(i, x, self, cross, selfMask, crossMask);
        return weights.OutputNorm.Apply(ctx, x);
    }

    /// <summary>
    /// Head k on the hidden states {hidden, n, rows}, stacked as {vocab, n, codebooks, rows}: transformers' logits
    /// [rows · K, n, vocab] in row-major order.
    /// </summary>
    public Tensor Logits(Tensor hidden)
    {
        var (n, rows) = (hidden.Ne1, hidden.Ne2);
        Tensor? stacked = null;
        for (var k = 0; k < _c.NumCodebooks; k++)
        {
            var logits = ctx.Reshape(ProductForms.MulMat(ctx, weights.LmHeads[k], hidden, StepForm), _c.VocabSize, n, 1, rows);
            stacked = stacked is null ? logits : ctx.Concat(stacked.Value, logits, 2);
        }
        return stacked!.Value;
    }

    /// <summary>The hidden state of the last position only, {hidden, 1, rows} (what a decode step samples from).</summary>
    public Tensor LastPosition(Tensor hidden) =>
        hidden.Ne1 == 1 ? hidden : ctx.Cont(ctx.View(hidden, [hidden.Ne0, 1, hidden.Ne2], [hidden.Nb(1), hidden.Nb(2)], (hidden.Ne1 - 1) * hidden.Nb(1)));
}
