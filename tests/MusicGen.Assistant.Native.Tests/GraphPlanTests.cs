namespace MusicGen.Assistant.Native.Tests;

/// <summary>
/// A graph allocated after another of the same shape gets its own memory plan: a tensor it marks as output is kept,
/// even where the earlier graph let the same-shaped intermediate be overwritten in place.
/// </summary>
public class GraphPlanTests
{
    [Fact]
    public void An_output_of_a_second_same_shaped_graph_is_not_overwritten()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var executor = new GraphExecutor(backend);
        var data = CpuGraph.Random(64, seed: 4);

        // y = 2x, z = 3y, w = 5z: without y as an output, z and w may reuse y's memory
        float[] Run(bool keepY, out float[] w)
        {
            using var ctx = new GgmlContext(16);
            var x = ctx.NewInput("x", GgmlType.F32, 64);
            var y = ctx.Scale(x, 2);
            var wt = ctx.MarkOutput(ctx.Scale(ctx.Scale(y, 3), 5));
            if (keepY) ctx.MarkOutput(y);
            var graph = ctx.NewGraph().Expand(wt);
            executor.Allocate(graph);
            x.SetData<float>(data);
            executor.Compute(graph);
            w = wt.ToFloatArray();
            return keepY ? y.ToFloatArray() : [];
        }

        Run(keepY: false, out _);
        var y2 = Run(keepY: true, out var w2);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.True(Math.Abs(y2[i] - 2 * data[i]) <= 1e-6f * Math.Abs(2 * data[i]), $"y[{i}] = {y2[i]}, expected {2 * data[i]}");
            Assert.True(Math.Abs(w2[i] - 30 * data[i]) <= 1e-5f * Math.Abs(30 * data[i]), $"w[{i}] = {w2[i]}, expected {30 * data[i]}");
        }
    }
}
