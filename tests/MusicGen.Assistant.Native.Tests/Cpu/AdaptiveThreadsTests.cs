using MusicGen.Assistant.Native.Cpu;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Tests.Cpu;

/// <summary>
/// A defaulted CPU backend keeps a pool for every usable CPU and runs graphs on fewer while other processes are busy:
/// changing the active count between graphs (with and without kept workers) never changes a result.
/// </summary>
public class AdaptiveThreadsTests
{
    [Fact]
    public void The_active_count_moves_within_the_pool_between_graphs_and_results_stay_equal()
    {
        GgmlRuntime.EnsureInitialized();
        using var backend = ComputeBackend.Adaptive(GgmlBackendApi.ggml_backend_dev_by_type(0), new CpuBudget([0, 1], null), active: 1);
        Assert.True(backend.AdaptsThreads);
        Assert.Equal(2, backend.Threads);
        Assert.Equal(1, backend.ActiveThreads);

        using var executor = new GraphExecutor(backend);
        using var ctx = new GgmlContext(8);
        var a = ctx.NewInput("a", GgmlType.F32, 256, 96);
        var b = ctx.NewInput("b", GgmlType.F32, 256, 5);
        var product = ctx.MarkOutput(ctx.MulMat(a, b));
        var graph = ctx.NewGraph().Expand(product);
        executor.Allocate(graph);
        a.SetData<float>(CpuGraph.Random(256 * 96, seed: 1));
        b.SetData<float>(CpuGraph.Random(256 * 5, seed: 2));

        float[] Run(int active)
        {
            backend.SetActiveThreads(active);
            executor.Compute(graph); // also gives the governor its look (at most every 2 s)
            return product.ToFloatArray();
        }

        var one = Run(1);
        Assert.Equal(one, Run(2));
        backend.KeepWorkerThreads();
        Assert.Equal(one, Run(1));
        Assert.Equal(one, Run(2));
        backend.SetActiveThreads(99);
        Assert.Equal(2, backend.ActiveThreads);
        backend.SetActiveThreads(0);
        Assert.Equal(1, backend.ActiveThreads);
    }

    [Fact]
    public void An_explicit_count_is_fixed()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        Assert.False(backend.AdaptsThreads);
        Assert.Equal(1, backend.ActiveThreads);
    }
}
