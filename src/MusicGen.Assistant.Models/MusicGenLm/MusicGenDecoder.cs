using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Runs the MusicGen decoder LM on a backend: a teacher-forced forward over whole delayed token sequences
/// (<see cref="Forward"/>) and incremental decoding with a KV cache (<see cref="StartSession"/>). Token matrices use
/// transformers' layout [rows · K, n]: row r·K + k is codebook k of batch row r.
/// </summary>
public sealed partial class MusicGenDecoder : IDisposable
{
    private readonly MusicGenDecoderWeights _weights;

    public MusicGenDecoder(MusicGenDecoderWeights weights, ComputeBackend backend)
    {
        _weights = weights;
        Config = weights.Config;
        Backend = backend;
        Executor = new GraphExecutor(backend, GraphCapacity);
        // a decode step is a small graph run hundreds of times: worker threads kept between graphs (not restarted per
        // step) and free to enter our C# kernels
        backend.KeepWorkerThreads();
    }

    /// <summary>Loads the decoder of a GGUF file (converted from a MusicGen checkpoint) onto a backend.</summary>
    public static MusicGenDecoder Load(string ggufPath, ComputeBackend backend)
    {
        using var file = GgufFile.Open(ggufPath);
        var weights = new MusicGenDecoderWeights(file, MusicGenDecoderMetadata.Read(file.Metadata), backend);
        try { return new MusicGenDecoder(weights, backend) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public MusicGenDecoderConfig Config { get; }
    public ComputeBackend Backend { get; }
    public MusicGenDecoderWeights Weights => _weights;

    /// <summary>Wall time per stage (build, allocate, upload, compute, download) of every call so far.</summary>
    public StageTimings Timings { get; } = new();

    public long WeightBytes => _weights.ResidentBytes;
    public long ComputeBytes => Executor.ComputeBufferBytes;

    /// <summary>When set, every graph node is timed into it (slow: for profiling only).</summary>
    public OpProfiler? Profiler
    {
        get => Executor.Profiler;
        set => Executor.Profiler = value;
    }

    /// <summary>Fixes the product form of decode steps (benchmarks, tests); null measures it per row count (the default).</summary>
    public ProductForm? StepFormOverride { get; set; }

    /// <summary>
    /// The product form decode steps of <paramref name="rows"/> rows take: <see cref="StepFormOverride"/>, else
    /// <c>MGA_PRODUCT_FORM</c>, else measured on this backend with this model's step matrices (once per process).
    /// </summary>
    public ProductFormTiming ChooseStepForm(int rows) => ProductFormProbe.Choose(Backend, _weights.StepMatrices().ToList(), rows, StepFormOverride);

    internal GraphExecutor Executor { get; }
    private bool OwnsWeights { get; init; }

    // tensors per block: three norms, eight projections, two attentions, cache views and copies (about 70)
    internal int GraphCapacity => 96 * Config.NumHiddenLayers + 24 * Config.NumCodebooks + 64;

    /// <summary>
    /// Teacher forcing (transformers' MusicgenForCausalLM.forward with a causal mask): delayed ids [rows · K, S] and
    /// the conditioning of the rows -> logits [rows · K, S, vocab], row-major. A melody decoder prepends the
    /// conditioning as a prefix of P positions and returns the logits of every position, prefix included,
    /// [rows · K, P + S, vocab], as transformers' MusicgenMelodyForConditionalGeneration does.
    /// </summary>
    public float[] Forward(int[,] ids, MusicGenConditioning conditioning)
    {
        var (rows, n) = CheckIds(ids, conditioning.Batch);
        CheckConditioning(conditioning);
        if (Config.IsMelody) return ForwardWithPrefix(ids, rows, n, conditioning);
        if (n > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"{n} positions exceed max_position_embeddings {Config.MaxPositionEmbeddings}", nameof(ids));
        var build = Timings.Measure("build");
        using var ctx = new GgmlContext(GraphCapacity);
        var graph = new MusicGenDecoderGraph(ctx, _weights);
        var inputs = new DecoderInputs(ctx, Config, rows, n, keys: n, withMask: n > 1);
        var memory = ctx.NewInput("conditioning", GgmlType.F32, Config.HiddenSize, conditioning.Length, rows);
        var crossMask = AttentionMasks.KeyPadding(conditioning.Keep, rows, conditioning.Length, n);
        var crossMaskInput = crossMask is null ? (Tensor?)null : ctx.NewInput("cross_mask", GgmlType.F32, conditioning.Length, n, 1, rows);
        var (self, cross) = graph.Uncached(memory);
        var hidden = graph.Hidden(inputs.Tokens, inputs.Positions, rows, self, cross, inputs.CausalMask, crossMaskInput);
        var logits = ctx.MarkOutput(graph.Logits(hidden));
        var g = ctx.NewGraph().Expand(logits);
        build.Dispose();

        using (Timings.Measure("allocate")) Allocate(g);
        using (Timings.Measure("upload"))
        {
            inputs.Upload(ids, 0);
            memory.SetData<float>(conditioning.HiddenStates);
            if (crossMask is not null) crossMaskInput!.Value.SetData<float>(crossMask);
        }
        using (Timings.Measure("compute")) Executor.Compute(g);
        using (Timings.Measure("download")) return logits.ToFloatArray();
    }

    /// <summary>
    /// Starts incremental decoding for the rows of <paramref name="conditioning"/>: reserves a KV cache of
    /// <paramref name="capacity"/> positions and computes the cross-attention keys and values once. A melody decoder
    /// reserves room for its conditioning prefix too and prefills it now (the session then starts at position P).
    /// </summary>
    public MusicGenDecoderSession StartSession(MusicGenConditioning conditioning, int capacity, GgmlType cacheType = GgmlType.F32)
    {
        CheckConditioning(conditioning);
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a session needs at least one position");
        var prefix = PrefixLength(conditioning);
        if (prefix + capacity > Config.MaxPositionEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                (prefix > 0 ? $"{prefix} conditioning prefix positions + " : "") +
                $"{capacity} positions exceed max_position_embeddings {Config.MaxPositionEmbeddings} (the sinusoidal table transformers uses); generate longer audio in windows");
        return new MusicGenDecoderSession(this, conditioning, prefix + capacity, cacheType);
    }

    /// <summary>Bumped whenever the executor's memory is laid out for another graph (a kept graph must then be re-allocated).</summary>
    internal long AllocationEpoch { get; private set; }

    internal void Allocate(ComputeGraph graph)
    {
        AllocationEpoch++;
        Executor.Allocate(graph);
    }

    internal void Reserve(ComputeGraph graph)
    {
        AllocationEpoch++;
        Executor.Reserve(graph);
    }

    internal (int Rows, int Length) CheckIds(int[,] ids, int? expectedRows)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var (r, n) = (ids.GetLength(0), ids.GetLength(1));
        var k = Config.NumCodebooks;
        if (r == 0 || r % k != 0) throw new ArgumentException($"ids have {r} rows, expected a positive multiple of {k} codebooks (rows · K)", nameof(ids));
        if (n < 1) throw new ArgumentException("ids have no positions", nameof(ids));
        if (expectedRows is { } e && r / k != e)
            throw new ArgumentException($"ids hold {r / k} batch rows ({r} / {k} codebooks) but the conditioning has {e}", nameof(ids));
        for (var i = 0; i < r; i++)
            for (var j = 0; j < n; j++)
                if ((uint)ids[i, j] > (uint)Config.VocabSize)
                    throw new ArgumentException($"token {ids[i, j]} at [{i}, {j}] is outside [0, {Config.VocabSize}] (codes and the special token {Config.VocabSize})", nameof(ids));
        return (r / k, n);
    }

    internal void CheckConditioning(MusicGenConditioning c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.Dim != Config.HiddenSize)
            throw new ArgumentException($"conditioning vectors have {c.Dim} values, the decoder's hidden size is {Config.HiddenSize} (project the text encoder output first)", nameof(c));
        if (Config.IsMelody) CheckPrefix(c);
    }

    public void Dispose()
    {
        Executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
