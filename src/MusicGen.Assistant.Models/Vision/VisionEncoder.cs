using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// Runs a ViT or ViViT encoder (one family's weights from a GGUF file) on batches of pixel_values from
/// <see cref="ViTImageProcessor"/> / <see cref="VivitImageProcessor"/>. Large batches are split so that one graph's
/// attention scores stay within <see cref="AttentionBudgetBytes"/> (a ViViT-B clip alone needs ~0.5 GB of scores).
/// </summary>
public sealed class VisionEncoder : IDisposable
{
    /// <summary>Score-matrix memory one graph may use before the batch is split across graphs.</summary>
    public const long AttentionBudgetBytes = 1L << 30;

    private readonly VisionTransformerWeights _weights;
    private readonly GraphExecutor _executor;

    public VisionEncoder(VisionTransformerWeights weights, ComputeBackend backend)
    {
        _weights = weights;
        _executor = new GraphExecutor(backend, VisionTransformerGraph.Capacity(weights.Config) + 64);
    }

    /// <summary>Loads the <paramref name="family"/> encoder of a GGUF file onto a backend.</summary>
    public static VisionEncoder Load(string ggufPath, VisionFamily family, ComputeBackend backend)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, family, backend);
    }

    /// <summary>Loads the <paramref name="family"/> encoder of an open GGUF file; the result owns its weights.</summary>
    public static VisionEncoder Load(GgufFile file, VisionFamily family, ComputeBackend backend)
    {
        var weights = new VisionTransformerWeights(file, VisionMetadata.Read(file.Metadata, family), backend);
        try { return new VisionEncoder(weights, backend) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public VisionTransformerConfig Config => _weights.Config;
    public ComputeBackend Backend => _executor.Backend;
    public bool HasPooler => _weights.Pooler is not null;

    /// <summary>Bytes of model weights on the backend.</summary>
    public long WeightBytes => _weights.ResidentBytes;

    private bool OwnsWeights { get; init; }

    /// <summary>Batch items computed in one graph.</summary>
    public int ItemsPerGraph
    {
        get
        {
            var scores = (long)Config.SequenceLength * Config.SequenceLength * Config.NumAttentionHeads * sizeof(float);
            return (int)Math.Clamp(AttentionBudgetBytes / (2 * scores), 1, 4096);
        }
    }

    /// <summary>
    /// The encoder's outputs for a batch: last_hidden_state, pooler_output (when the model has a pooler) and, when
    /// <paramref name="hiddenStates"/> is set, every hidden state (as output_hidden_states=True).
    /// </summary>
    public VisionEncoderOutput Encode(PixelValues pixels, bool hiddenStates = false)
    {
        CheckInput(pixels);
        var c = Config;
        int batch = pixels.Batch, tokens = c.SequenceLength, width = c.HiddenSize;
        var itemLength = tokens * width;
        var last = new float[(long)batch * itemLength];
        var pooled = HasPooler ? new float[(long)batch * width] : null;
        var states = hiddenStates ? Enumerable.Range(0, c.NumHiddenLayers + 1).Select(_ => new float[last.Length]).ToArray() : [];
        for (var first = 0; first < batch; first += ItemsPerGraph)
        {
            var count = Math.Min(ItemsPerGraph, batch - first);
            using var ctx = new GgmlContext(VisionTransformerGraph.Capacity(c) + 64);
            var input = ctx.NewInput($"{VisionKeys.For(c.Family).Prefix}patches", GgmlType.F32, c.PatchVectorLength, c.NumPatches, count);
            var outputs = new VisionTransformerGraph(ctx, _weights).Encode(input);
            var graph = ctx.NewGraph();
            foreach (var t in Marked(outputs, hiddenStates)) graph.Expand(ctx.MarkOutput(t));
            _executor.Allocate(graph);
            input.SetData<float>(PatchExtractor.Extract(pixels, c, first, count));
            _executor.Compute(graph);

            outputs.LastHiddenState.GetData(last.AsSpan((int)((long)first * itemLength), count * itemLength));
            if (pooled is not null) outputs.PoolerOutput!.Value.GetData(pooled.AsSpan(first * width, count * width));
            for (var i = 0; i < states.Length; i++)
                outputs.HiddenStates[i].GetData(states[i].AsSpan((int)((long)first * itemLength), count * itemLength));
        }
        return new VisionEncoderOutput(batch, tokens, width, last, pooled, states);
    }

    private static IEnumerable<Tensor> Marked(VisionTransformerGraph.Outputs o, bool hiddenStates)
    {
        if (hiddenStates) foreach (var s in o.HiddenStates) yield return s;
        yield return o.LastHiddenState;
        if (o.PoolerOutput is { } p) yield return p;
    }

    // transformers refuses other sizes too (ViTEmbeddings: "Input image size (h*w) doesn't match model"); a wrong
    // frame count would only surface there as a shape mismatch.
    private void CheckInput(PixelValues p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var c = Config;
        if (c.Family == VisionFamily.ViT && p.Frames != 1)
            throw new ArgumentException($"ViT encodes single images, got {p} (use the ViViT encoder for clips)", nameof(p));
        if (c.Family == VisionFamily.ViViT && p.Frames != c.NumFrames)
            throw new ArgumentException($"ViViT expects clips of {c.NumFrames} frames (config num_frames), got {p.Frames} frames in {p}", nameof(p));
        if (p.Channels != c.NumChannels)
            throw new ArgumentException($"{c.Name} expects {c.NumChannels} channels (config num_channels), got {p.Channels} in {p}", nameof(p));
        if (p.Height != c.ImageHeight || p.Width != c.ImageWidth)
            throw new ArgumentException($"{c.Name} expects {c.ImageHeight}×{c.ImageWidth} (height×width, config image_size) pixels, got {p.Height}×{p.Width} in {p}", nameof(p));
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
