using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>Test helper: builds one graph on the CPU backend, fills inputs, computes, and reads the result.</summary>
internal sealed class CpuGraph : IDisposable
{
    public CpuGraph(int maxTensors = 256)
    {
        Backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        Executor = new GraphExecutor(Backend);
        Ctx = new GgmlContext(maxTensors);
    }

    public ComputeBackend Backend { get; }
    public GraphExecutor Executor { get; }
    public GgmlContext Ctx { get; }
    private readonly List<(Tensor, float[])> _floatInputs = [];
    private readonly List<(Tensor, int[])> _intInputs = [];

    public Tensor Input(float[] data, params long[] ne)
    {
        var t = Ctx.NewInput($"in{_floatInputs.Count}", GgmlType.F32, ne);
        _floatInputs.Add((t, data));
        return t;
    }

    public Tensor IntInput(int[] data, params long[] ne)
    {
        var t = Ctx.NewInput($"idx{_intInputs.Count}", GgmlType.I32, ne);
        _intInputs.Add((t, data));
        return t;
    }

    public float[] Run(Tensor output)
    {
        Ctx.MarkOutput(output);
        var graph = Ctx.NewGraph().Expand(output);
        Executor.Allocate(graph);
        foreach (var (t, d) in _floatInputs) t.SetData<float>(d);
        foreach (var (t, d) in _intInputs) t.SetData<int>(d);
        Executor.Compute(graph);
        var result = new float[output.ElementCount];
        if (output.Type == GgmlType.I32)
        {
            var ints = new int[output.ElementCount];
            output.GetData<int>(ints);
            for (var i = 0; i < ints.Length; i++) result[i] = ints[i];
        }
        else output.GetData<float>(result);
        return result;
    }

    public void Dispose()
    {
        Ctx.Dispose();
        Executor.Dispose();
        Backend.Dispose();
    }

    public static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (var i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }
}
