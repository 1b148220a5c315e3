using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Hubert;

// The graph runs: the conv stack (in time chunks when exact), then the transformer with either every hidden state or
// only their per-frame sums as outputs.
public sealed partial class HubertEncoder
{
    private IReadOnlyList<HubertHiddenStates> Run(float[] values, int batch, int samples, int[] validFrames, bool masked)
    {
        var (features, frames) = RunFeatureEncoder(values, batch, samples);
        var outputs = RunTransformer(features, batch, frames, validFrames, masked, pooled: false);
        var width = Config.HiddenSize;
        var rows = new HubertHiddenStates[batch];
        for (var b = 0; b < batch; b++)
        {
            var states = new float[outputs.Count][];
            for (var s = 0; s < outputs.Count; s++)
                states[s] = outputs[s].AsSpan((int)((long)b * frames * width), frames * width).ToArray();
            rows[b] = new HubertHiddenStates(states, frames, width, validFrames[b]);
        }
        return rows;
    }

    /// <summary>
    /// Σ over the frames of each hidden state of one prepared (already normalized) input: [count, hidden] row-major,
    /// plus the frame count. Only these sums leave the graph, so the states themselves are never copied out.
    /// </summary>
    internal (float[] Sums, int Frames) SumOverFrames(ReadOnlySpan<float> inputValues)
    {
        var frames = CheckLength(inputValues.Length, "the window");
        var (features, computed) = RunFeatureEncoder(inputValues, 1, inputValues.Length);
        var sums = RunTransformer(features, 1, computed, [frames], masked: false, pooled: true);
        var width = Config.HiddenSize;
        var result = new float[sums.Count * width];
        for (var s = 0; s < sums.Count; s++) sums[s].CopyTo(result.AsSpan(s * width, width));
        return (result, frames);
    }

    /// <summary>Conv features of a batch of prepared inputs {C, T, B} (row-major [B, T, C]) and T.</summary>
    private (float[] Features, int Frames) RunFeatureEncoder(ReadOnlySpan<float> values, int batch, int samples)
    {
        using var _ = Timings.Measure("features");
        var frames = (int)Config.FrameCount(samples);
        var channels = Config.ConvChannels;
        var features = new float[(long)channels * frames * batch];
        if (!Config.UsesLayerNormConvs || frames <= ConvChunkFrames)
        {
            var whole = RunConvChunk(values, batch, samples, frames);
            whole.CopyTo(features, 0);
            return (features, frames);
        }
        int stride = Config.FrameStride, field = Config.ReceptiveField;
        for (var start = 0; start < frames; start += ConvChunkFrames)
        {
            var count = Math.Min(ConvChunkFrames, frames - start);
            var span = (count - 1) * stride + field;
            var segment = new float[(long)span * batch];
            for (var b = 0; b < batch; b++)
                values.Slice(b * samples + start * stride, span).CopyTo(segment.AsSpan(b * span, span));
            var part = RunConvChunk(segment, batch, span, count);
            for (var b = 0; b < batch; b++)
                part.AsSpan(b * count * channels, count * channels).CopyTo(features.AsSpan((int)(((long)b * frames + start) * channels)));
        }
        return (features, frames);
    }

    private float[] RunConvChunk(ReadOnlySpan<float> values, int batch, int samples, int expectedFrames)
    {
        var capacity = HubertGraph.FeatureEncoderCapacity(Config);
        using var ctx = new GgmlContext(capacity);
        var input = ctx.NewInput("hubert.input_values", GgmlType.F32, samples, 1, batch);
        var features = ctx.MarkOutput(new HubertGraph(ctx, _weights).FeatureEncoder(input));
        if (features.Ne1 != expectedFrames)
            throw new InvalidOperationException($"the conv stack gave {features.Ne1} frames for {samples} samples, expected {expectedFrames}");
        var graph = ctx.NewGraph().Expand(features);
        var executor = Executor(capacity);
        executor.Allocate(graph);
        input.SetData(values);
        executor.Compute(graph);
        return features.ToFloatArray();
    }

    /// <summary>
    /// The transformer on conv features {C, T, B}: every hidden state as {hidden, T, B} (row-major [B, T, hidden]), or
    /// with <paramref name="pooled"/> each state's sum over the valid frames {hidden, 1, B}.
    /// </summary>
    private List<float[]> RunTransformer(float[] features, int batch, int frames, int[] validFrames, bool masked, bool pooled)
    {
        using var _ = Timings.Measure("encoder");
        masked &= validFrames.Any(v => v < frames);
        var block = Math.Min(AttentionQueryBlock, frames);
        var capacity = HubertGraph.EncoderCapacity(Config, frames, block);
        using var ctx = new GgmlContext(capacity);
        var input = ctx.NewInput("hubert.features", GgmlType.F32, Config.ConvChannels, frames, batch);
        var frameMask = masked ? ctx.NewInput("hubert.frame_mask", GgmlType.F32, 1, frames, batch) : (Tensor?)null;
        var keyMask = masked ? ctx.NewInput("hubert.key_mask", GgmlType.F32, frames, block, 1, batch) : (Tensor?)null;
        var frameWeights = pooled ? ctx.NewInput("hubert.frame_weights", GgmlType.F32, frames, 1, batch) : (Tensor?)null;
        var builder = new HubertGraph(ctx, _weights);
        var states = builder.Encode(input, frameMask, keyMask, block);
        var outputs = states.Select(s => ctx.MarkOutput(frameWeights is { } w ? builder.SumOverFrames(s, w) : s)).ToList();
        var graph = ctx.NewGraph();
        foreach (var o in outputs) graph.Expand(o);

        var executor = Executor(capacity);
        executor.Allocate(graph);
        input.SetData<float>(features);
        var real = new float[(long)frames * batch];
        for (var b = 0; b < batch; b++) real.AsSpan(b * frames, validFrames[b]).Fill(1f);
        if (frameMask is { } fm) fm.SetData<float>(real);
        if (keyMask is { } km) km.SetData<float>(KeyMask(validFrames, frames, block));
        if (frameWeights is { } fw) fw.SetData<float>(real);
        executor.Compute(graph);
        return outputs.Select(o => o.ToFloatArray()).ToList();
    }

    // transformers' extended mask: (1 - mask) * finfo(float32).min on padded keys, the same for every query row
    private static float[] KeyMask(int[] validFrames, int frames, int rows)
    {
        var mask = new float[(long)frames * rows * validFrames.Length];
        for (var b = 0; b < validFrames.Length; b++)
        {
            var row = mask.AsSpan((int)((long)b * rows * frames), frames);
            row[validFrames[b]..].Fill(AttentionMasks.Blocked);
            for (var r = 1; r < rows; r++) row.CopyTo(mask.AsSpan((int)(((long)b * rows + r) * frames), frames));
        }
        return mask;
    }

    // one scheduler, grown when a graph needs more nodes than it was made for
    private GraphExecutor Executor(int nodes)
    {
        if (_executor is { } e && e.MaxGraphNodes >= nodes) return e;
        _executor?.Dispose();
        _executor = null;
        return _executor = new GraphExecutor(Backend, Math.Max(nodes, 2048));
    }
}
