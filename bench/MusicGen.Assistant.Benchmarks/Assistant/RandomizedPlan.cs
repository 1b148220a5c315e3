using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models;

namespace MusicGen.Assistant.Benchmarks.Assistant;

/// <summary>
/// A checkpoint plan with every tensor's values replaced by deterministic random ones (names, shapes, roles and
/// metadata kept): the M2UGen adapters and output projector at their real sizes without a checkpoint. Matrices are
/// N(0, 1)/√fan_in, norm weights 1 + 0.02·N, other exact tensors (biases, queries) 0.02·N. Values only have to be
/// finite and of a realistic scale: the benchmarks measure time and memory, not outputs.
/// </summary>
public sealed class RandomizedPlan(IConversionPlan inner, int seed) : IConversionPlan
{
    public string Architecture => inner.Architecture;

    public void WriteMetadata(GgufWriter writer) => inner.WriteMetadata(writer);

    public IReadOnlyList<PlannedTensor> Tensors { get; } = inner.Tensors.Select((t, i) => new PlannedTensor(t.Name, t.Ne, t.Role, () =>
    {
        var rng = new Random(unchecked(seed * 7919 + i));
        var values = new float[t.Ne.Aggregate(1L, (a, b) => a * b)];
        var norm = t.Role == TensorRole.Exact && t.Name.Contains("norm", StringComparison.Ordinal) && t.Name.EndsWith(".weight", StringComparison.Ordinal);
        var scale = t.Role == TensorRole.Matrix ? 1 / Math.Sqrt(t.Ne[0]) : 0.02;
        for (var k = 0; k < values.Length; k++) values[k] = (float)((norm ? 1 : 0) + scale * RandomTensors.Normal(rng));
        return values;
    }, "random init")).ToList();

    /// <summary>A checkpoint with no tensors: the plans are built over it, and their readers are never asked.</summary>
    public static CheckpointReader NoCheckpoint => new(new EmptyCheckpoint());

    private sealed class EmptyCheckpoint : ITensorCheckpoint
    {
        public string Source => "(random weights)";
        public IEnumerable<string> Names => [];
        public bool Contains(string name) => false;
        public long[] Shape(string name) => throw new KeyNotFoundException(name);
        public SafetensorsDType DType(string name) => throw new KeyNotFoundException(name);
        public float[] ReadFloat32(string name) => throw new KeyNotFoundException(name);
        public void Dispose() { }
    }
}
