using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// What feeding tokens produced: <see cref="Logits"/> of the last fed position [vocab] (or of every fed position
/// [n, vocab] when asked), and <see cref="LastHidden"/>, the last block's output before the final norm at the last
/// fed position [dim] (M2UGen collects it for [AUD] tokens).
/// </summary>
public sealed record LlamaStep(float[] Logits, float[] LastHidden);

/// <summary>
/// Incremental decoding of one sequence with a KV cache allocated once for <see cref="Capacity"/> positions: a
/// prompt of n tokens is one graph (<see cref="Prefill"/>), each further token one step (<see cref="Step"/>); keys
/// and values are written in place into the cache (set_rows at the positions, an input), so both give the logits
/// teacher forcing gives there.
/// </summary>
/// <remarks>
/// Decode steps reuse one graph while the sequence stays inside a bucket of <see cref="StepBucket"/> positions: the
/// graph reads the whole bucket, the causal mask blocks the slots not written yet, and token, position and mask are
/// inputs. Compute memory for the largest step graph is reserved at the start, so the decode loop allocates nothing
/// on the backend. Not thread-safe; one session at a time per model.
/// </remarks>
public sealed class LlamaSession : IDisposable
{
    /// <summary>Positions per step-graph bucket: a step reads at most this many unwritten (masked) slots.</summary>
    public const int StepBucket = 64;

    private readonly LlamaModel _model;
    private readonly LlamaConfig _c;
    private readonly KvCache _cache;
    private readonly IAttentionOutputHook? _hook;
    private readonly float[] _stepMask;
    private SessionGraph? _step;
    private SessionGraph? _prefill;

    internal LlamaSession(LlamaModel model, int capacity, IAttentionOutputHook? hook, GgmlType cacheType)
    {
        _model = model;
        _c = model.Config;
        _hook = hook;
        Capacity = capacity;
        _stepMask = new float[capacity]; // a step's mask row over its bucket, reused
        // head-major values when our one-query kernel reads them (ungrouped heads, f32): a step writes one row per head;
        // an f16 cache on the CPU is read by ggml's fused attention (llama.cpp's layout and kernel), values head-major too
        Fused = MultiHeadAttention.FusedCacheOn(model.Backend, cacheType);
        var headMajor = Fused || cacheType == GgmlType.F32 && LlamaGraph.UsesCpuKernels(model.Backend) && _c.HeadCount == _c.HeadCountKv;
        _cache = new KvCache(model.Backend, _c.BlockCount, _c.KeyValueWidth, _c.HeadCountKv, capacity, 1, cacheType, headMajor);
        try
        {
            // the largest step graph sizes the compute memory now, so the decode loop never grows it
            using var worst = Build(1, capacity, allLogits: false);
            _model.Reserve(worst.Graph);
        }
        catch
        {
            _cache.Dispose();
            throw;
        }
    }

    public int Capacity { get; }

    /// <summary>Whether attention is one fused node over an f16 cache (an F16 session on the CPU), with an F16 mask.</summary>
    public bool Fused { get; }

    /// <summary>Positions fed so far (the next position to be written).</summary>
    public int Position { get; private set; }

    public long CacheBytes => _cache.Bytes;

    /// <summary>Step graphs built so far (one per bucket reached, plus rebuilds after another graph used the executor's memory).</summary>
    public int StepGraphsBuilt { get; private set; }

    private StageTimings Timings => _model.Timings;

    /// <summary>Feeds <paramref name="tokens"/> at the next positions in one graph (batched prefill).</summary>
    public LlamaStep Prefill(ReadOnlySpan<int> tokens, bool allLogits = false)
    {
        _model.CheckTokens(tokens);
        CheckRoom(tokens.Length);
        var keys = Position + tokens.Length;
        if (_prefill is null || _prefill.Length != tokens.Length || _prefill.Keys != keys || _prefill.AllLogits != allLogits)
        {
            using (Timings.Measure("build"))
            {
                _prefill?.Dispose();
                _prefill = null;
                _prefill = Build(tokens.Length, keys, allLogits);
            }
        }
        var logits = new float[(allLogits ? tokens.Length : 1) * _c.VocabSize];
        var hidden = new float[_c.EmbeddingLength];
        Run(_prefill, tokens, AttentionMasks.Causal(Position, tokens.Length, keys), logits, hidden);
        return new LlamaStep(logits, hidden);
    }

    /// <summary>One decode step: feeds <paramref name="token"/> at the next position.</summary>
    public LlamaStep Step(int token)
    {
        var result = new LlamaStep(new float[_c.VocabSize], new float[_c.EmbeddingLength]);
        Step(token, result.Logits, result.LastHidden);
        return result;
    }

    /// <summary>One decode step into caller buffers: logits [vocab] and the pre-norm last hidden state [dim].</summary>
    public void Step(int token, Span<float> logits, Span<float> lastHidden)
    {
        _model.CheckTokens([token]);
        if (logits.Length != _c.VocabSize || lastHidden.Length != _c.EmbeddingLength)
            throw new ArgumentException($"buffers of {logits.Length} logits and {lastHidden.Length} hidden values, expected {_c.VocabSize} and {_c.EmbeddingLength}");
        CheckRoom(1);
        var bucket = Math.Min(Capacity, (Position / StepBucket + 1) * StepBucket);
        if (_step is null || _step.Keys != bucket)
        {
            using (Timings.Measure("build"))
            {
                _step?.Dispose();
                _step = null;
                _step = Build(1, bucket, allLogits: false);
                StepGraphsBuilt++;
            }
        }
        var mask = _stepMask.AsSpan(0, bucket);
        AttentionMasks.FillCausal(mask, Position, 1, bucket);
        Run(_step, [token], mask, logits, lastHidden);
    }

    /// <summary>
    /// Forgets every position from <paramref name="position"/> on (e.g. to re-decode or drop a turn); the cache slots
    /// stay allocated and are overwritten by the next tokens fed.
    /// </summary>
    public void Truncate(int position)
    {
        if (position < 0 || position > Position) throw new ArgumentOutOfRangeException(nameof(position), position, $"0..{Position}");
        Position = position;
    }

    /// <summary>Layer <paramref name="layer"/>'s cached keys (RoPE applied) of the positions fed so far, [kv_heads, position, head_dim].</summary>
    public float[] ReadKeys(int layer) => _cache.ReadKeys(layer, Position);

    /// <summary>Layer <paramref name="layer"/>'s cached values of the positions fed so far, [kv_heads, position, head_dim].</summary>
    public float[] ReadValues(int layer) => _cache.ReadValues(layer, Position);

    private void Run(SessionGraph s, ReadOnlySpan<int> tokens, ReadOnlySpan<float> mask, Span<float> logits, Span<float> hidden)
    {
        if (s.Epoch != _model.AllocationEpoch)
        {
            using (Timings.Measure("allocate")) _model.Allocate(s.Graph);
            s.Epoch = _model.AllocationEpoch;
        }
        using (Timings.Measure("upload"))
        {
            s.Tokens.SetData(tokens);
            Span<int> positions = tokens.Length <= 256 ? stackalloc int[tokens.Length] : new int[tokens.Length];
            for (var i = 0; i < positions.Length; i++) positions[i] = Position + i;
            s.Positions.SetData<int>(positions);
            if (Fused) AttentionMasks.SetHalf(s.Mask, mask);
            else s.Mask.SetData(mask);
        }
        using (Timings.Measure("compute")) _model.Executor.Compute(s.Graph);
        using (Timings.Measure("download"))
        {
            s.Logits.GetData(logits);
            s.Hidden.GetData(hidden);
        }
        Position += tokens.Length;
    }

    private void CheckRoom(int n)
    {
        if (Position + n > Capacity)
            throw new InvalidOperationException($"the session holds {Capacity} positions; {Position} are used and {n} more were fed");
    }

    // n tokens over the first `keys` cache slots (the causal mask blocks what is not written yet)
    private SessionGraph Build(int n, int keys, bool allLogits)
    {
        var ctx = new GgmlContext(LlamaGraph.Capacity(_c) + 16);
        try
        {
            var graph = new LlamaGraph(ctx, _model.Weights, _hook);
            var g = ctx.NewGraph();
            var tokens = ctx.NewInput("tokens", GgmlType.I32, n);
            var positions = ctx.NewInput("positions", GgmlType.I32, n);
            var mask = ctx.NewInput("mask", Fused ? GgmlType.F16 : GgmlType.F32, keys, n);
            AttentionMemory memory = (layer, k, v) =>
            {
                _cache.Write(g, layer, k, v, positions);
                return (_cache.Keys(ctx, layer, keys), _cache.ValuesTransposed(ctx, layer, keys));
            };
            var hidden = graph.Blocks(graph.Embed(tokens), positions, mask, memory);
            var last = ctx.MarkOutput(graph.LastPosition(hidden));
            var logits = ctx.MarkOutput(graph.Logits(graph.Norm(allLogits ? hidden : last)));
            g.Expand(last).Expand(logits);
            return new SessionGraph(ctx, g, tokens, positions, mask, logits, last, n, keys, allLogits);
        }
        catch
        {
            ctx.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _step?.Dispose();
        _prefill?.Dispose();
        _cache.Dispose();
    }

    /// <summary>A built graph with its inputs and outputs, kept while it is reused; owns its context.</summary>
    private sealed record SessionGraph(GgmlContext Context, ComputeGraph Graph, Tensor Tokens, Tensor Positions,
        Tensor Mask, Tensor Logits, Tensor Hidden, int Length, int Keys, bool AllLogits) : IDisposable
    {
        /// <summary>The model's allocation epoch this graph's memory was laid out in (-1: not yet).</summary>
        public long Epoch { get; set; } = -1;

        public void Dispose() => Context.Dispose();
    }
}
