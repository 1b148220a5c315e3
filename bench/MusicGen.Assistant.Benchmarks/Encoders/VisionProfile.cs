using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// Where a ViT / ViViT encode's time and memory go: the graph VisionEncoder runs for one group of items, built here
/// from the same <see cref="VisionTransformerGraph"/>, timed once as a whole (with its compute buffer) and once with
/// every node timed alone.
/// </summary>
public static class VisionProfile
{
    public static void Print(VisionTransformerWeights weights, ComputeBackend backend, int batch)
    {
        var c = weights.Config;
        var capacity = VisionTransformerGraph.Capacity(c) + 64;
        using var ctx = new GgmlContext(capacity);
        var input = ctx.NewInput("patches", GgmlType.F32, c.PatchVectorLength, c.NumPatches, batch);
        var outputs = new VisionTransformerGraph(ctx, weights).Encode(input);
        var graph = ctx.NewGraph().Expand(ctx.MarkOutput(outputs.LastHiddenState));
        if (outputs.PoolerOutput is { } pooled) graph.Expand(ctx.MarkOutput(pooled));
        using var executor = new GraphExecutor(backend, capacity);
        executor.Allocate(graph);
        var rng = new Random(3);
        input.SetData<float>(Enumerable.Range(0, (int)input.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
        EncoderOpProfile.Run(executor, graph, c.NumAttentionHeads, $"the {c.Name} encoder graph, batch {batch} ({c.SequenceLength} tokens per item)");
    }
}
