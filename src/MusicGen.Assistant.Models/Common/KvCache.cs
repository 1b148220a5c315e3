using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// Keys and values of every attention layer for <see cref="Rows"/> sequences of up to <see cref="Capacity"/>
/// positions, in backend memory reserved once (a <see cref="TensorStore"/>): appending a step writes into it, never
/// allocates. Per layer, keys are head-major, {head_dim, capacity, heads, rows}, and values are kept transposed,
/// {capacity, width, rows}, so both read as the per-head views <see cref="MultiHeadAttention.Attend"/> multiplies with
/// directly. Head-major keys make a head's keys one contiguous run: read with position-major keys, every key of a head
/// is a separate 4 KB-strided chunk the prefetcher cannot follow, and a decode step's attention waits on memory.
/// Also used for cross-attention memories (written once at position 0).
/// With <c>headMajorValues</c> the values are stored like the keys, {head_dim, capacity, heads, rows}: a write is
/// then one row of head_dim values per head (transposed values take a scatter of single values into separate cache
/// lines, a millisecond per decode step), and <see cref="ValuesTransposed"/> returns a permuted view that our
/// one-query kernel reads as it is (ggml's products need it copied first; <see cref="MultiHeadAttention.Attend"/> does).
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly TensorStore _store;
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly long _element;

    public KvCache(ComputeBackend backend, int layers, int width, int heads, int capacity, int rows, GgmlType type = GgmlType.F32,
        bool headMajorValues = false)
    {
        if (layers < 1 || width < 1 || capacity < 1 || rows < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), $"a KV cache of {layers} layers, width {width}, {capacity} positions and {rows} rows");
        if (heads < 1 || width % heads != 0)
            throw new ArgumentException($"{heads} heads do not divide the width {width}", nameof(heads));
        if (type is not (GgmlType.F32 or GgmlType.F16))
            throw new ArgumentException($"KV cache type {type}: F32 or F16 only", nameof(type));
        (Layers, Width, Heads, Capacity, Rows, Type, HeadMajorValues) = (layers, width, heads, capacity, rows, type, headMajorValues);
        _element = GgmlTypeSizes.BytesPerBlock(type);
        _store = new TensorStore(backend, 2 * layers + 1);
        try
        {
            _keys = new Tensor[layers];
            _values = new Tensor[layers];
            for (var l = 0; l < layers; l++)
            {
                _keys[l] = _store.Context.NewTensor(type, width / heads, capacity, heads, rows).Named($"cache.{l}.k");
                _values[l] = (headMajorValues
                    ? _store.Context.NewTensor(type, width / heads, capacity, heads, rows)
                    : _store.Context.NewTensor(type, capacity, width, rows)).Named($"cache.{l}.v");
            }
            _store.Allocate();
            // positions past the written ones may be read under a blocking mask: they must be finite, not garbage
            _store.Clear();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public int Layers { get; }
    public int Width { get; }
    public int Heads { get; }
    public int HeadDim => Width / Heads;
    public int Capacity { get; }
    public int Rows { get; }
    public GgmlType Type { get; }

    /// <summary>Values stored {head_dim, capacity, heads, rows} instead of transposed.</summary>
    public bool HeadMajorValues { get; }
    public long Bytes => _store.AllocatedBytes;

    /// <summary>
    /// Writes keys and values {width, n, rows} of positions [position, position + n) of a layer. The copies are added
    /// to <paramref name="graph"/> now, so they run before anything added later reads the cache.
    /// </summary>
    public void Append(ComputeGraph graph, int layer, Tensor keys, Tensor values, int position)
    {
        var ctx = graph.Context;
        CheckLayer(layer);
        foreach (var t in new[] { keys, values })
            if (t.Ne0 != Width || t.Ne2 != Rows || t.Ne3 != 1)
                throw new GgmlException($"KV cache: '{t.Name}' {t.ShapeText} is not {{{Width}, n, {Rows}}}");
        var n = keys.Ne1;
        if (values.Ne1 != n) throw new GgmlException($"KV cache: {n} key positions but {values.Ne1} value positions");
        if (position < 0 || position + n > Capacity)
            throw new GgmlException($"KV cache: positions [{position}, {position + n}) do not fit its {Capacity} positions");
        graph.Expand(CopyHeadMajor(ctx, keys, _keys[layer], position));
        var v = _values[layer];
        if (HeadMajorValues)
        {
            graph.Expand(CopyHeadMajor(ctx, values, v, position));
            return;
        }
        var vSlot = ctx.View(v, [n, Width, Rows], [v.Nb(1), v.Nb(2)], position * _element);
        graph.Expand(ctx.Copy(ctx.Transpose(values), vSlot));
    }

    // x {width, n, rows} into head-major slots from a position: the slots seen in the source's order
    // {head_dim, heads, n, rows} (one view, no permute: three tensors in all)
    private Tensor CopyHeadMajor(GgmlContext ctx, Tensor x, Tensor store, int position)
    {
        var n = x.Ne1;
        var slot = ctx.View(store, [HeadDim, Heads, n, Rows], [store.Nb(2), store.Nb(1), store.Nb(3)], position * store.Nb(1));
        return ctx.Copy(ctx.Reshape(x, HeadDim, Heads, n, Rows), slot);
    }

    /// <summary>
    /// Writes keys and values {width, n, rows} of a layer at the positions held by <paramref name="positions"/> {n}
    /// (I32, uploaded by the caller and checked to lie in [0, capacity)): the write position is an input, so one
    /// graph serves many steps. Added to <paramref name="graph"/> now, ahead of any later read.
    /// </summary>
    public void Write(ComputeGraph graph, int layer, Tensor keys, Tensor values, Tensor positions)
    {
        var ctx = graph.Context;
        CheckLayer(layer);
        foreach (var t in new[] { keys, values })
            if (t.Ne0 != Width || t.Ne2 != Rows || t.Ne3 != 1)
                throw new GgmlException($"KV cache: '{t.Name}' {t.ShapeText} is not {{{Width}, n, {Rows}}}");
        var n = keys.Ne1;
        if (values.Ne1 != n || positions.Ne0 != n || positions.Ne1 != 1)
            throw new GgmlException($"KV cache: {n} key positions, {values.Ne1} value positions and {positions.ShapeText} write positions differ");
        graph.Expand(ctx.SetRows(_keys[layer], PerHead(ctx, keys), positions));
        if (HeadMajorValues)
        {
            graph.Expand(ctx.SetRows(_values[layer], PerHead(ctx, values), positions));
            return;
        }
        // values go in transposed: scatter single elements, position by position, of each (channel, row)
        var v = _values[layer];
        var columns = ctx.Reshape(v, 1, Capacity, Width, Rows);                              // {1, capacity, width, rows}
        var source = ctx.Permute(ctx.Reshape(values, 1, Width, n, Rows), 0, 2, 1, 3);       // {1, n, width, rows}
        graph.Expand(ctx.SetRows(columns, source, positions));
    }

    /// <summary>The first <paramref name="length"/> positions of a layer's keys: {head_dim, length, heads, rows}.</summary>
    public Tensor Keys(GgmlContext ctx, int layer, int length)
    {
        CheckLayer(layer);
        CheckLength(length);
        var k = _keys[layer];
        return ctx.View(k, [HeadDim, length, Heads, Rows], [k.Nb(1), k.Nb(2), k.Nb(3)], 0);
    }

    // {width, n, rows} seen as {head_dim, n, heads, rows}: rows of head_dim values, the cache's key layout
    private Tensor PerHead(GgmlContext ctx, Tensor x) => ctx.Permute(ctx.Reshape(x, HeadDim, Heads, x.Ne1, Rows), 0, 2, 1, 3);

    /// <summary>
    /// The first <paramref name="length"/> positions of a layer's values, transposed: {length, head_dim, heads, rows}.
    /// With head-major values this is a permuted view (element stride head_dim along the positions).
    /// </summary>
    public Tensor ValuesTransposed(GgmlContext ctx, int layer, int length)
    {
        CheckLayer(layer);
        CheckLength(length);
        var v = _values[layer];
        if (HeadMajorValues)
            return ctx.Permute(ctx.View(v, [HeadDim, length, Heads, Rows], [v.Nb(1), v.Nb(2), v.Nb(3)], 0), 1, 0, 2, 3);
        return ctx.View(v, [length, HeadDim, Heads, Rows], [v.Nb(1), HeadDim * v.Nb(1), v.Nb(2)], 0);
    }

    /// <summary>
    /// Downloads a layer's keys at positions [0, length) of row 0 as [heads, length, head_dim] floats (inspection and
    /// tests; F32 caches only).
    /// </summary>
    public float[] ReadKeys(int layer, int length) => ReadHeadMajor(_keys[CheckRead(layer, length)], length);

    /// <summary>A layer's values at positions [0, length) of row 0 as [heads, length, head_dim], whatever the layout.</summary>
    public float[] ReadValues(int layer, int length)
    {
        var v = _values[CheckRead(layer, length)];
        if (HeadMajorValues) return ReadHeadMajor(v, length);
        var all = new float[(long)Capacity * Width];                          // {capacity, width} of row 0
        v.GetData<float>(all);
        var result = new float[(long)Heads * length * HeadDim];
        for (var h = 0; h < Heads; h++)
            for (var p = 0; p < length; p++)
                for (var i = 0; i < HeadDim; i++)
                    result[((long)h * length + p) * HeadDim + i] = all[(long)(h * HeadDim + i) * Capacity + p];
        return result;
    }

    // {head_dim, capacity, heads} of row 0: the first `length` positions of each head
    private float[] ReadHeadMajor(Tensor t, int length)
    {
        var all = new float[(long)HeadDim * Capacity * Heads];
        t.GetData<float>(all);
        var result = new float[(long)Heads * length * HeadDim];
        for (var h = 0; h < Heads; h++)
            Array.Copy(all, (long)h * Capacity * HeadDim, result, (long)h * length * HeadDim, (long)length * HeadDim);
        return result;
    }

    private int CheckRead(int layer, int length)
    {
        CheckLayer(layer);
        if (length < 0 || length > Capacity) throw new ArgumentOutOfRangeException(nameof(length), length, $"the cache holds 0..{Capacity} positions");
        if (Type != GgmlType.F32) throw new InvalidOperationException($"reading a {Type} cache is not supported (F32 only)");
        return layer;
    }

    private void CheckLayer(int layer)
    {
        if ((uint)layer >= Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"the cache has layers 0..{Layers - 1}");
    }

    private void CheckLength(int length)
    {
        if (length < 1 || length > Capacity)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"the cache holds 1..{Capacity} positions");
    }

    public void Dispose() => _store.Dispose();
}
