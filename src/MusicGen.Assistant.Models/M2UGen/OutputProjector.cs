using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Runs M2UGen's output projector: the LLaMA's hidden states at the 8 [AUD] positions plus the [AUD] token embeddings
/// → (B, num_output_tokens, out_dim) states that stand in for T5's encoder output in MusicGen (the "paper" path;
/// <see cref="MusicConditioningPath"/>). One small graph per call: a turn projects once.
/// </summary>
public sealed class OutputProjector : IDisposable
{
    private readonly ProjectorWeights _weights;
    private readonly GraphExecutor _executor;

    public OutputProjector(ProjectorWeights weights, ComputeBackend backend)
    {
        _weights = weights;
        _executor = new GraphExecutor(backend, ProjectorGraph.Capacity(weights.Config) + 16);
    }

    /// <summary>
    /// Loads the projector of a GGUF file; <paramref name="outputScale"/> replaces the scale stored there (default
    /// <see cref="ProjectorOutputScale.UndoTrainingTarget"/>, e.g. <see cref="ProjectorOutputScale.Head"/>).
    /// </summary>
    public static OutputProjector Load(GgufFile file, ComputeBackend backend, double? outputScale = null)
    {
        var config = ProjectorMetadata.Read(file.Metadata);
        if (outputScale is { } s) config = (config with { OutputScale = s }).Validate();
        var weights = new ProjectorWeights(file, config, backend);
        try { return new OutputProjector(weights, backend) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public static OutputProjector Load(string ggufPath, ComputeBackend backend, double? outputScale = null)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend, outputScale);
    }

    public ProjectorConfig Config => _weights.Config;
    public ComputeBackend Backend => _executor.Backend;
    public long WeightBytes => _weights.ResidentBytes;

    /// <summary>Wall time per stage (graph, upload, compute, readback), accumulated over calls.</summary>
    public StageTimings Timings { get; } = new();

    internal bool OwnsWeights { get; init; }

    /// <summary>
    /// ProjectionLayer(hidden, aud_embeddings) for <paramref name="batch"/> items.
    /// </summary>
    /// <param name="hidden">[B, N, in_dim]: the last layer's pre-norm hidden states at the positions that predicted [AUD0..N-1].</param>
    /// <param name="audEmbeddings">[N, in_dim] (shared by the batch, as generate_music looks them up) or [B, N, in_dim].</param>
    public ProjectorResult Project(ReadOnlySpan<float> hidden, ReadOnlySpan<float> audEmbeddings, int batch = 1)
    {
        var c = Config;
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "at least one item");
        if (hidden.Length % ((long)batch * c.InDim) != 0 || hidden.Length == 0)
            throw new ArgumentException($"the projector takes hidden states [{batch}, tokens, {c.InDim}]; {hidden.Length} values do not fit", nameof(hidden));
        var tokens = (int)(hidden.Length / ((long)batch * c.InDim));
        if (tokens != c.InputTokens)
            throw new ArgumentException($"the projector takes the hidden states of {c.InputTokens} [AUD] tokens, got {tokens} ([{batch}, {tokens}, {c.InDim}])", nameof(hidden));
        var shared = audEmbeddings.Length == (long)tokens * c.InDim;
        if (!shared && audEmbeddings.Length != hidden.Length)
            throw new ArgumentException($"[AUD] embeddings hold {audEmbeddings.Length} values; expected [{tokens}, {c.InDim}] or [{batch}, {tokens}, {c.InDim}]", nameof(audEmbeddings));
        CheckFinite(hidden, "hidden states", nameof(hidden));
        CheckFinite(audEmbeddings, "[AUD] embeddings", nameof(audEmbeddings));

        using var ctx = new GgmlContext(ProjectorGraph.Capacity(c) + 8);
        Tensor hiddenInput, audInput;
        ProjectorStageTensors stages;
        ComputeGraph graph;
        using (Timings.Measure("graph"))
        {
            hiddenInput = ctx.NewInput("projector.hidden", GgmlType.F32, c.InDim, tokens, batch);
            audInput = ctx.NewInput("projector.aud_embeddings", GgmlType.F32, c.InDim, tokens, shared ? 1 : batch);
            stages = new ProjectorGraph(ctx, _weights).BuildOutputProjector(hiddenInput, audInput);
            graph = ctx.NewGraph();
            foreach (var t in stages.All) graph.Expand(ctx.MarkOutput(t));
            _executor.Allocate(graph);
        }
        using (Timings.Measure("upload"))
        {
            hiddenInput.SetData(hidden);
            audInput.SetData(audEmbeddings);
        }
        using (Timings.Measure("compute")) _executor.Compute(graph);
        using (Timings.Measure("readback"))
            return new ProjectorResult(batch, tokens, c.DModel, c.OutputTokens, c.OutDim, c.OutputScale,
                stages.Fc.ToFloatArray(), stages.Memory.ToFloatArray(), stages.Output.ToFloatArray(), stages.Scaled.ToFloatArray());
    }

    private static void CheckFinite(ReadOnlySpan<float> values, string what, string parameter)
    {
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{what} hold a non-finite value ({values[i]}) at flat index {i}", parameter);
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
