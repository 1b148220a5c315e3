using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Runs one modality's adapter on encoder features: one small graph per call (a turn embeds each attachment once).
/// Input layouts, row-major in PyTorch order: music = MERT hidden states [C, T, W] (torch.stack(hidden_states)
/// .squeeze(), as encode_audio takes them) or [B, C, T, W], or their time means [C, W] through
/// <see cref="EmbedTimeMeans"/>; image / video = last_hidden_state [N, W] or [B, N, W].
/// </summary>
public sealed class ModalityAdapter : IDisposable
{
    private readonly ModalityAdapterWeights _weights;
    private readonly GraphExecutor _executor;

    public ModalityAdapter(ModalityAdapterWeights weights, ComputeBackend backend)
    {
        _weights = weights;
        _executor = new GraphExecutor(backend, AdapterGraph.Capacity(weights.Config) + 16);
    }

    public ModalityAdapterConfig Config => _weights.Config;
    public M2UGenModality Modality => Config.Modality;
    public ComputeBackend Backend => _executor.Backend;

    /// <summary>Bytes of this adapter's weights on the backend.</summary>
    public long WeightBytes => _weights.ResidentBytes;

    /// <summary>Wall time per stage (graph, upload, compute, readback), accumulated over calls.</summary>
    public StageTimings Timings { get; } = new();

    internal bool OwnsWeights { get; init; }

    /// <summary>The adapter token and every intermediate stage for the given features (shape in PyTorch order).</summary>
    public AdapterResult Embed(ReadOnlySpan<float> features, params int[] shape)
    {
        var (batch, frames) = CheckInput(features, shape);
        return Run(features, batch, frames, timeAveraged: false);
    }

    /// <summary>
    /// Music only: the adapter on hidden states already averaged over time (encode_audio's <c>.mean(-2)</c>, e.g. a
    /// windowed MERT feature), [C, W] per item, <paramref name="batch"/> items back to back.
    /// </summary>
    public AdapterResult EmbedTimeMeans(ReadOnlySpan<float> layerMeans, int batch = 1)
    {
        if (!Config.PoolsTime)
            throw new InvalidOperationException($"the {Modality.Name()} adapter takes tokens, not time-averaged hidden states; use Embed");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "at least one item");
        long expected = (long)batch * Config.Channels * Config.InWidth;
        if (layerMeans.Length != expected)
            throw new ArgumentException($"the music adapter takes time means [{Config.Channels} hidden states, width {Config.InWidth}] per item: {batch} item(s) need {expected} values, got {layerMeans.Length}", nameof(layerMeans));
        CheckFinite(layerMeans);
        return Run(layerMeans, batch, frames: 1, timeAveraged: true);
    }

    private AdapterResult Run(ReadOnlySpan<float> features, int batch, int frames, bool timeAveraged)
    {
        int c = Config.Channels, w = Config.InWidth;
        using var ctx = new GgmlContext(AdapterGraph.Capacity(Config) + 8);
        Tensor input;
        AdapterStageTensors stages;
        ComputeGraph graph;
        using (Timings.Measure("graph"))
        {
            input = Config.PoolsTime && !timeAveraged
                ? ctx.NewInput($"{Modality.Name()}.hidden_states", GgmlType.F32, w, frames, c, batch)
                : ctx.NewInput($"{Modality.Name()}.{(timeAveraged ? "layer_means" : "tokens")}", GgmlType.F32, w, c, batch);
            stages = new AdapterGraph(ctx, _weights).Build(input, timeAveraged);
            graph = ctx.NewGraph();
            foreach (var t in stages.All.Where(t => t != input)) graph.Expand(ctx.MarkOutput(t));
            _executor.Allocate(graph);
        }
        using (Timings.Measure("upload")) input.SetData(features);
        using (Timings.Measure("compute")) _executor.Compute(graph);
        using (Timings.Measure("readback"))
            return new AdapterResult(Modality, batch, w, Config.Dim,
                timeAveraged ? features.ToArray() : stages.LayerMeans?.ToFloatArray(),
                stages.Aggregated.ToFloatArray(),
                stages.Normalized.ToFloatArray(),
                stages.Projected.ToFloatArray(),
                stages.Blocks.Select(b => b.ToFloatArray()).ToArray());
    }

    // Returns the batch size and, for music, the number of frames; says what was expected when the shape is wrong.
    private (int Batch, int Frames) CheckInput(ReadOnlySpan<float> features, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int c = Config.Channels, w = Config.InWidth;
        var text = $"[{string.Join(", ", shape)}]";
        var expected = Config.PoolsTime
            ? $"MERT hidden states [{c}, frames, {w}] or [batch, {c}, frames, {w}]"
            : $"{(Modality == M2UGenModality.Image ? "ViT" : "ViViT")} last_hidden_state [{c}, {w}] or [batch, {c}, {w}]";
        var rank = Config.PoolsTime ? 3 : 2;
        if (shape.Length != rank && shape.Length != rank + 1 || shape.Any(d => d < 1))
            throw new ArgumentException($"the {Modality.Name()} adapter takes {expected}; got shape {text}", nameof(shape));
        var batch = shape.Length == rank + 1 ? shape[0] : 1;
        var dims = shape[^rank..];
        if (dims[0] != c)
            throw new ArgumentException($"the {Modality.Name()} adapter aggregates {c} {Modality.ChannelName()}, got {dims[0]} (shape {text}; expected {expected})", nameof(shape));
        if (dims[^1] != w)
            throw new ArgumentException($"the {Modality.Name()} adapter takes width {w}, got {dims[^1]} (shape {text}; expected {expected})", nameof(shape));
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (features.Length != count)
            throw new ArgumentException($"shape {text} holds {count} values, but {features.Length} were given", nameof(features));
        CheckFinite(features);
        return (batch, Config.PoolsTime ? dims[1] : 1);
    }

    private void CheckFinite(ReadOnlySpan<float> features)
    {
        for (var i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i]))
                throw new ArgumentException($"{Modality.Name()} features hold a non-finite value ({features[i]}) at flat index {i}", "features");
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
