using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;


namespace MusicGen.Assistant.Models;

/// <summary>
/// Binds named GGUF tensors into a backend <see cref="TensorStore"/>: checks each expected tensor exists with the
/// expected shape and an allowed type (naming the file and tensor when not), then uploads the bytes.
/// </summary>
public sealed class WeightBinder(GgufFile file, TensorStore store)
{
    private readonly List<(Tensor Tensor, GgufTensorInfo Info)> _pending = [];
    private readonly List<(Tensor Tensor, GgufTensorInfo Info, Func<float[], float[]> Relayout)> _derived = [];

    /// <summary>
    /// A weight store for <paramref name="file"/>'s tensors: room for the config's <paramref name="estimate"/>, but never
    /// for more than the file holds (every weight is one of its tensors) plus a few computed ones, so a size in the
    /// metadata that the file cannot back never sizes a ggml context. <paramref name="int8Products"/>: the store packs
    /// the Q8_0 weights declared with <see cref="RequireMatrix"/> for the integer product kernel (<see cref="Int8Products"/>),
    /// worth it for weights multiplied with whole sequences at once (an encoder's).
    /// </summary>
    public static TensorStore NewStore(GgufFile file, ComputeBackend backend, long estimate, bool int8Products = false) =>
        new(backend, (int)Math.Clamp(estimate, 1, file.Tensors.Count + 16L), int8Products: int8Products);

    /// <summary>Declares a tensor that must be present with exactly this ggml shape.</summary>
    public Tensor Require(string name, long[] ne, params GgmlType[] allowedTypes) => Declare(name, ne, allowedTypes, matrix: false);

    /// <summary>
    /// <see cref="Require"/> for a weight that is only ever the weight operand of matrix products with F32 activations
    /// (never gathered, viewed or read back): the store may keep it repacked for the CPU's kernels or packed for ours
    /// (<see cref="TensorStore.NewMatrix"/>).
    /// </summary>
    public Tensor RequireMatrix(string name, long[] ne, params GgmlType[] allowedTypes) => Declare(name, ne, allowedTypes, matrix: true);

    private Tensor Declare(string name, long[] ne, GgmlType[] allowedTypes, bool matrix)
    {
        if (!file.TryGetTensor(name, out var info))
            throw new ModelWeightsException($"{file.Path}: missing tensor '{name}' (expected shape [{string.Join(", ", ne)}])");
        var shape = info.Ne.Concat(Enumerable.Repeat(1L, 4)).Take(4).ToArray();
        var want = ne.Concat(Enumerable.Repeat(1L, 4)).Take(4).ToArray();
        if (!shape.SequenceEqual(want))
            throw new ModelWeightsException($"{file.Path}: tensor '{name}' has shape [{string.Join(", ", info.Ne)}], expected [{string.Join(", ", ne)}]");
        var type = info.Type;
        if (allowedTypes.Length > 0 && !allowedTypes.Contains(type))
            throw new ModelWeightsException($"{file.Path}: tensor '{name}' is {info.Type}, expected one of {string.Join(", ", allowedTypes)}");
        var t = (matrix ? store.NewMatrix(type, info.Ne) : store.Context.NewTensor(type, info.Ne)).Named(name);
        _pending.Add((t, info));
        return t;
    }

    /// <summary>Like <see cref="Require"/> but accepts either of two shapes (e.g. a kernel stored 3-D or flattened).</summary>
    public Tensor RequireEither(string name, long[] ne, long[] alternative, params GgmlType[] allowedTypes)
    {
        if (file.TryGetTensor(name, out var info) && info.Ne.Length == alternative.Length && info.Ne.SequenceEqual(alternative))
            return Require(name, alternative, allowedTypes);
        return Require(name, ne, allowedTypes);
    }

    /// <summary>
    /// An F32 tensor of shape <paramref name="ne"/> computed at <see cref="Upload"/> from the values of
    /// <paramref name="source"/> (declared before, so its presence, shape and type are checked), e.g. a kernel in the
    /// layout one of our CPU kernels reads.
    /// </summary>
    public Tensor Derive(Tensor source, long[] ne, Func<float[], float[]> relayout)
    {
        var (_, info) = _pending.Single(p => p.Tensor == source);
        var name = source.Name + ".derived";
        var t = store.Context.NewTensor(GgmlType.F32, ne).Named(name.Length < 60 ? name : "derived");
        _derived.Add((t, info, relayout));
        return t;
    }

    /// <summary>Allocates the store and uploads every declared tensor.</summary>
    public void Upload()
    {
        store.Allocate();
        foreach (var (tensor, info, relayout) in _derived)
        {
            var count = info.Ne.Aggregate(1L, (a, b) => a * b);
            var values = relayout(Quantizer.Dequantize(file.GetTensorBytes(info), count, info.Type));
            if (values.LongLength != tensor.ElementCount)
                throw new ModelWeightsException($"{file.Path}: tensor '{info.Name}' relaid out to {values.LongLength} values, expected {tensor.ElementCount}");
            tensor.SetData<float>(values);
        }
        _derived.Clear();
        foreach (var (tensor, info) in _pending)
        {
            tensor.SetData(file.GetTensorBytes(info));
            // the backend holds its own copy now: the file's pages need not stay resident beside it
            file.ReleaseTensorPages(info);
        }
        _pending.Clear();
    }
}
