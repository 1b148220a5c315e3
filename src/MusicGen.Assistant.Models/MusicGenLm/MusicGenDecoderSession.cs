using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Incremental decoding with a KV cache for a fixed set of rows (e.g. the conditional and null rows of a guided
/// batch). Self-attention keys and values of every fed position are written into a cache reserved once for
/// <see cref="Capacity"/> positions; the cross-attention keys and values of the conditioning are computed once at the
/// start. Feeding n positions (a prefill) or one (a decode step) gives the logits teacher forcing gives there.
/// </summary>
/// <remarks>
/// Decode steps reuse one graph while the cache length stays inside a bucket of <see cref="StepBucket"/> positions:
/// the graph reads the whole bucket, the causal mask blocks the slots not written yet, and the token, position and
/// mask values are inputs. A new graph is built (in compute memory reserved up front) only when the length crosses
/// into the next bucket. Not thread-safe; one session at a time per decoder.
/// </remarks>
public sealed partial class MusicGenDecoderSession : IDisposable
{
    /// <summary>Positions per step-graph bucket: attention reads at most this many unwritten (masked) slots.</summary>
    public const int StepBucket = 64;

    private readonly MusicGenDecoder _decoder;
    private readonly MusicGenDecoderConfig _c;
    private readonly KvCache _self;
    private readonly KvCache? _cross; // null on a melody decoder (no cross-attention)
    private readonly bool[] _keep;
    private readonly float[]? _stepCrossMask;
    private readonly ProductForm _stepForm;
    private StepGraph? _step;

    internal MusicGenDecoderSession(MusicGenDecoder decoder, MusicGenConditioning conditioning, int capacity, GgmlType cacheType)
    {
        _decoder = decoder;
        _c = decoder.Config;
        Rows = conditioning.Batch;
        Capacity = capacity;
        ConditioningLength = conditioning.Length;
        _keep = conditioning.Keep;
        _stepCrossMask = AttentionMasks.KeyPadding(_keep, Rows, ConditioningLength, 1);
        StepForm = decoder.ChooseStepForm(Rows);
        _stepForm = StepForm.Chosen;
        Fused = MultiHeadAttention.FusedCacheOn(decoder.Backend, cacheType);
        // head-major values when our one-query attention kernel or the fused attention reads them (a cheap row write
        // per step, no scatter)
        _self = new KvCache(decoder.Backend, _c.NumHiddenLayers, _c.HiddenSize, _c.NumAttentionHeads, capacity, Rows, cacheType,
            headMajorValues: Fused || cacheType == GgmlType.F32 && MusicGenDecoderGraph.UsesCpuKernels(decoder.Backend));
        try
        {
            if (_c.CrossAttention)
            {
                _cross = new KvCache(decoder.Backend, _c.NumHiddenLayers, _c.HiddenSize, _c.NumAttentionHeads, conditioning.Length, Rows, cacheType);
                FillCrossCache(conditioning);
            }
            else PrefillPrefix(conditioning);
            // the largest step graph sizes the compute memory now, so the decode loop never grows it
            using var worst = BuildStep(Capacity);
            _decoder.Reserve(worst.Graph);
        }
        catch
        {
            _cross?.Dispose();
            _self.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether self-attention is one fused node (ggml's flash attention) over an f16 cache with an F16 mask: a session
    /// started with an F16 cache on the CPU. Its logits stay within f16 rounding of the f32 cache's, not bit-close.
    /// </summary>
    public bool Fused { get; }

    /// <summary>How single-position graphs multiply the rows by the weights, and what choosing it measured.</summary>
    public ProductFormTiming StepForm { get; }

    /// <summary>Batch rows decoded together.</summary>
    public int Rows { get; }
    public int Capacity { get; }
    public int ConditioningLength { get; }

    /// <summary>Positions fed so far (the next position to be written).</summary>
    public int Position { get; private set; }

    /// <summary>Backend bytes held by the self- and cross-attention caches.</summary>
    public long CacheBytes => _self.Bytes + (_cross?.Bytes ?? 0);

    /// <summary>Step graphs built so far (one per bucket reached, plus rebuilds after another graph used the executor).</summary>
    public int StepGraphsBuilt { get; private set; }

    private StageTimings Timings => _decoder.Timings;

    /// <summary>
    /// Feeds ids [rows · K, n] at the next n positions in one pass. Returns the logits [rows · K, n, vocab] of every
    /// fed position when <paramref name="allPositions"/>, else those of the last one, [rows · K, vocab].
    /// </summary>
    public float[] Feed(int[,] ids, bool allPositions = false)
    {
        var (_, n) = _decoder.CheckIds(ids, Rows);
        CheckRoom(n);
        var result = new float[(long)Rows * _c.NumCodebooks * (allPositions ? n : 1) * _c.VocabSize];
        var build = Timings.Measure("build");
        using var prefill = Build(n, Position + n, n > 1, allPositions);
        build.Dispose();
        using (Timings.Measure("allocate")) _decoder.Allocate(prefill.Graph);
        Run(prefill, ids, default, result);
        return result;
    }

    /// <summary>
    /// One decode step: one token per row and codebook, [rows · K] in row order r·K + k, into
    /// <paramref name="logits"/> [rows · K, vocab].
    /// </summary>
    public void Step(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var count = Rows * _c.NumCodebooks;
        if (tokens.Length != count) throw new ArgumentException($"{tokens.Length} tokens for {Rows} rows x {_c.NumCodebooks} codebooks", nameof(tokens));
        if (logits.Length != count * _c.VocabSize) throw new ArgumentException($"logits buffer holds {logits.Length} values, expected {count * _c.VocabSize}", nameof(logits));
        for (var i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] > (uint)_c.VocabSize)
                throw new ArgumentException($"token {tokens[i]} of row {i / _c.NumCodebooks}, codebook {i % _c.NumCodebooks} is outside [0, {_c.VocabSize}]", nameof(tokens));
        CheckRoom(1);
        var bucket = Math.Min(Capacity, (Position / StepBucket + 1) * StepBucket);
        if (_step is null || _step.Keys != bucket)
        {
            var build = Timings.Measure("build");
            _step?.Dispose();
            _step = null;
            _step = BuildStep(bucket);
            StepGraphsBuilt++;
            build.Dispose();
        }
        if (_step.Epoch != _decoder.AllocationEpoch)
        {
            using (Timings.Measure("allocate")) _decoder.Allocate(_step.Graph);
            _step.Epoch = _decoder.AllocationEpoch;
        }
        Run(_step, null, tokens, logits);
    }

    // ids [rows · K, n] for a prefill, else one token per row and codebook
    private void Run(StepGraph s, int[,]? ids, ReadOnlySpan<int> tokens, Span<float> destination)
    {
        using (Timings.Measure("upload"))
        {
            if (ids is not null) s.Inputs.Upload(ids, Position);
            else s.Inputs.Upload(tokens, Position);
            if (s.CrossMask is { } m)
                m.SetData<float>(s.Inputs.Length == 1 ? _stepCrossMask : AttentionMasks.KeyPadding(_keep, Rows, ConditioningLength, s.Inputs.Length));
        }
        using (Timings.Measure("compute")) _decoder.Executor.Compute(s.Graph);
        using (Timings.Measure("download")) s.Logits.GetData(destination);
        Position += s.Inputs.Length;
    }

    private void CheckRoom(int n)
    {
        if (Position + n > Capacity)
            throw new InvalidOperationException($"the session holds {Capacity} positions; {Position} are used and {n} more were fed");
    }

    /// <summary>A single-query graph over <paramref name="keys"/> cache slots (its causal mask blocks the unwritten ones).</summary>
    private StepGraph BuildStep(int keys) => Build(1, keys, withMask: true, allPositions: false);

    private StepGraph Build(int n, int keys, bool withMask, bool allPositions)
    {
        var ctx = new GgmlContext(_decoder.GraphCapacity);
        try
        {
            var graph = new MusicGenDecoderGraph(ctx, _decoder.Weights) { StepForm = _stepForm };
            var g = ctx.NewGraph();
            var inputs = new DecoderInputs(ctx, _c, Rows, n, keys, withMask, Fused ? GgmlType.F16 : GgmlType.F32);
            Tensor? crossMask = _stepCrossMask is null ? null : ctx.NewInput("cross_mask", GgmlType.F32, ConditioningLength, n, 1, Rows);
            SelfAttentionMemory self = (layer, k, v) =>
            {
                _self.Write(g, layer, k, v, inputs.Positions);
                return (_self.Keys(ctx, layer, keys), _self.ValuesTransposed(ctx, layer, keys));
            };
            CrossAttentionMemory cross = layer => (_cross!.Keys(ctx, layer, ConditioningLength), _cross.ValuesTransposed(ctx, layer, ConditioningLength));
            var hidden = graph.Hidden(inputs.Tokens, inputs.Positions, Rows, self, cross, inputs.CausalMask, crossMask);
            var logits = ctx.MarkOutput(graph.Logits(allPositions ? hidden : graph.LastPosition(hidden)));
            g.Expand(logits);
            return new StepGraph(ctx, g, inputs, crossMask, logits, keys);
        }
        catch
        {
            ctx.Dispose();
            throw;
        }
    }

    // Cross-attention keys/values depend only on the conditioning: one graph, once per session.
    private void FillCrossCache(MusicGenConditioning conditioning)
    {
        using var time = Timings.Measure("cross");
        using var ctx = new GgmlContext(8 * _c.NumHiddenLayers + 8);
        var graph = new MusicGenDecoderGraph(ctx, _decoder.Weights);
        var g = ctx.NewGraph();
        var memory = ctx.NewInput("conditioning", GgmlType.F32, _c.HiddenSize, conditioning.Length, Rows);
        for (var layer = 0; layer < _c.NumHiddenLayers; layer++)
        {
            var (k, v) = graph.CrossKeysValues(layer, memory);
            _cross!.Append(g, layer, k, v, 0);
        }
        _decoder.Allocate(g);
        memory.SetData<float>(conditioning.HiddenStates);
        _decoder.Executor.Compute(g);
    }

    public void Dispose()
    {
        _step?.Dispose();
        _cross?.Dispose();
        _self.Dispose();
    }

    /// <summary>A built graph with its inputs and output, kept while it is reused; owns its context.</summary>
    private sealed class StepGraph(GgmlContext context, ComputeGraph graph, DecoderInputs inputs, Tensor? crossMask, Tensor logits, int keys) : IDisposable
    {
        public ComputeGraph Graph => graph;
        public DecoderInputs Inputs => inputs;
        public Tensor? CrossMask => crossMask;
        public Tensor Logits => logits;
        public int Keys => keys;

        /// <summary>The decoder's allocation epoch this graph's memory was laid out in (-1: not yet).</summary>
        public long Epoch { get; set; } = -1;

        public void Dispose() => context.Dispose();
    }
}
