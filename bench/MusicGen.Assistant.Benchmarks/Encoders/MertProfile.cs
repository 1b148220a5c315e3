using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Encoders;

/// <summary>
/// Where a MERT window's time and memory go: the two graphs HubertEncoder runs, built here from the same
/// <see cref="HubertGraph"/> at the same shapes (one conv chunk, then the transformer over all frames of the window
/// with pooled outputs), each timed once as a whole (with its compute buffer size) and once with every node timed alone.
/// </summary>
public static class MertProfile
{
    public static void Print(HubertWeights weights, ComputeBackend backend, int frames, int convChunk, int queryBlock)
    {
        var c = weights.Config;
        var rng = new Random(3);
        float[] Random(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();

        // the conv stack, one chunk as HubertEncoder cuts it (a group-normed stack runs whole)
        var chunkFrames = c.UsesLayerNormConvs ? Math.Min(convChunk, frames) : frames;
        var chunks = (frames + chunkFrames - 1) / chunkFrames;
        var samples = (long)(chunkFrames - 1) * c.FrameStride + c.ReceptiveField;
        var featureCapacity = HubertGraph.FeatureEncoderCapacity(c);
        using (var ctx = new GgmlContext(featureCapacity))
        {
            var input = ctx.NewInput("hubert.input_values", GgmlType.F32, samples, 1, 1);
            var graph = ctx.NewGraph().Expand(ctx.MarkOutput(new HubertGraph(ctx, weights).FeatureEncoder(input)));
            using var executor = new GraphExecutor(backend, Math.Max(featureCapacity, 2048));
            executor.Allocate(graph);
            input.SetData<float>(Random(samples));
            EncoderOpProfile.Run(executor, graph, c.NumAttentionHeads, $"the conv feature encoder, one chunk of {chunkFrames} frames ({chunks} per window)");
        }

        // the transformer as SumOverFrames builds it: every hidden state summed over the frames
        var block = Math.Min(queryBlock, frames);
        var capacity = HubertGraph.EncoderCapacity(c, frames, block);
        using (var ctx = new GgmlContext(capacity))
        {
            var input = ctx.NewInput("hubert.features", GgmlType.F32, c.ConvChannels, frames, 1);
            var frameWeights = ctx.NewInput("hubert.frame_weights", GgmlType.F32, frames, 1, 1);
            var builder = new HubertGraph(ctx, weights);
            var graph = ctx.NewGraph();
            foreach (var state in builder.Encode(input, null, null, block)) graph.Expand(ctx.MarkOutput(builder.SumOverFrames(state, frameWeights)));
            using var executor = new GraphExecutor(backend, Math.Max(capacity, 2048));
            executor.Allocate(graph);
            input.SetData<float>(Random((long)c.ConvChannels * frames));
            frameWeights.SetData<float>(Enumerable.Repeat(1f, frames).ToArray());
            var scores = (long)frames * block * c.NumAttentionHeads * sizeof(float);
            Console.WriteLine($"attention scores per query block: {frames} keys x {block} queries x {c.NumAttentionHeads} heads = {Report.MiB(scores)} (f32)");
            EncoderOpProfile.Run(executor, graph, c.NumAttentionHeads, $"the transformer over {frames} frames (query blocks of {block})");
        }
    }
}
