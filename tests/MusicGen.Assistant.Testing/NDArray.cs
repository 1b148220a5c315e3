namespace MusicGen.Assistant.Testing;

/// <summary>A small row-major n-d array (PyTorch order) for evaluating reference calls in tests.</summary>
public sealed class NDArray
{
    public NDArray(long[] shape, double[] data)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not hold {data.Length} values");
        Shape = shape;
        Data = data;
    }

    public long[] Shape { get; }
    public double[] Data { get; }
    public int Rank => Shape.Length;

    private long[] Strides()
    {
        var s = new long[Rank];
        long acc = 1;
        for (var d = Rank - 1; d >= 0; d--) { s[d] = acc; acc *= Shape[d]; }
        return s;
    }

    /// <summary>Python indexing: per dimension an int (drops it) or a slice (start, stop, step); missing trailing dims kept.</summary>
    public NDArray Index(IReadOnlyList<object> items)
    {
        var starts = new long[Rank];
        var steps = new long[Rank];
        var counts = new long[Rank];
        var keep = new bool[Rank];
        for (var d = 0; d < Rank; d++)
        {
            var item = d < items.Count ? items[d] : new PySlice(null, null, null);
            if (item is long i)
            {
                starts[d] = i < 0 ? i + Shape[d] : i; steps[d] = 1; counts[d] = 1; keep[d] = false;
            }
            else
            {
                var s = (PySlice)item;
                var step = s.Step ?? 1;
                if (step <= 0) throw new NotSupportedException("only positive slice steps");
                var start = Math.Clamp(s.Start is { } a ? (a < 0 ? a + Shape[d] : a) : 0, 0, Shape[d]);
                var stop = Math.Clamp(s.Stop is { } b ? (b < 0 ? b + Shape[d] : b) : Shape[d], 0, Shape[d]);
                starts[d] = start; steps[d] = step; counts[d] = Math.Max(0, (stop - start + step - 1) / step); keep[d] = true;
            }
        }
        var strides = Strides();
        var total = counts.Aggregate(1L, (a, b) => a * b);
        var data = new double[total];
        var idx = new long[Rank];
        for (long n = 0; n < total; n++)
        {
            long offset = 0;
            for (var d = 0; d < Rank; d++) offset += (starts[d] + idx[d] * steps[d]) * strides[d];
            data[n] = Data[offset];
            for (var d = Rank - 1; d >= 0; d--) { if (++idx[d] < counts[d]) break; idx[d] = 0; }
        }
        return new NDArray(Enumerable.Range(0, Rank).Where(d => keep[d]).Select(d => counts[d]).ToArray(), data);
    }

    public NDArray Transpose(int a, int b)
    {
        var perm = Enumerable.Range(0, Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        var shape = perm.Select(p => Shape[p]).ToArray();
        var src = Strides();
        var data = new double[Data.Length];
        var idx = new long[Rank];
        for (long n = 0; n < data.Length; n++)
        {
            long offset = 0;
            for (var d = 0; d < Rank; d++) offset += idx[d] * src[perm[d]];
            data[n] = Data[offset];
            for (var d = Rank - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
        }
        return new NDArray(shape, data);
    }

    /// <summary>An elementwise operation with NumPy broadcasting (trailing dimensions aligned; a size 1 stretches).</summary>
    public static NDArray Elementwise(NDArray a, NDArray b, Func<double, double, double> op)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        long Size(NDArray x, int d) => d < rank - x.Rank ? 1 : x.Shape[d - (rank - x.Rank)];
        var shape = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            long sa = Size(a, d), sb = Size(b, d);
            if (sa != sb && sa != 1 && sb != 1)
                throw new ArgumentException($"shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}] do not broadcast");
            shape[d] = Math.Max(sa, sb);
        }
        // per output dimension, each operand's stride (0 where it is broadcast)
        long[] StridesIn(NDArray x)
        {
            var own = x.Strides();
            var s = new long[rank];
            for (var d = rank - x.Rank; d < rank; d++) s[d] = x.Shape[d - (rank - x.Rank)] == 1 ? 0 : own[d - (rank - x.Rank)];
            return s;
        }
        long[] stridesA = StridesIn(a), stridesB = StridesIn(b);
        var data = new double[shape.Aggregate(1L, (x, y) => x * y)];
        var idx = new long[rank];
        for (long n = 0; n < data.Length; n++)
        {
            long oa = 0, ob = 0;
            for (var d = 0; d < rank; d++) { oa += idx[d] * stridesA[d]; ob += idx[d] * stridesB[d]; }
            data[n] = op(a.Data[oa], b.Data[ob]);
            for (var d = rank - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
        }
        return new NDArray(shape, data);
    }

    public static NDArray Concat(IReadOnlyList<NDArray> parts, int dim)
    {
        var shape = (long[])parts[0].Shape.Clone();
        shape[dim] = parts.Sum(p => p.Shape[dim]);
        var outer = shape.Take(dim).Aggregate(1L, (a, b) => a * b);
        var data = new List<double>(parts.Sum(p => p.Data.Length));
        for (long o = 0; o < outer; o++)
            foreach (var p in parts)
            {
                var block = p.Shape.Skip(dim).Aggregate(1L, (a, b) => a * b);
                data.AddRange(p.Data.Skip((int)(o * block)).Take((int)block));
            }
        return new NDArray(shape, data.ToArray());
    }
}

/// <summary>A Python slice start:stop:step.</summary>
public sealed record PySlice(long? Start, long? Stop, long? Step);
