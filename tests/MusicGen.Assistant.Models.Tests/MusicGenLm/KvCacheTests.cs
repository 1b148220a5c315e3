using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>The KV cache's layouts, read back through the views attention uses, and its errors.</summary>
public class KvCacheTests
{
    private const int Width = 8, Heads = 2, HeadDim = 4, Capacity = 5, Rows = 2;

    [Theory]
    [InlineData(GgmlType.F32, false)]
    [InlineData(GgmlType.F16, false)]
    [InlineData(GgmlType.F32, true)]
    [InlineData(GgmlType.F16, true)]
    public void Written_positions_read_back_per_head_and_the_rest_stays_zero(GgmlType type, bool headMajorValues)
    {
        using var backend = MusicGenFixtures.Cpu();
        using var cache = new KvCache(backend, layers: 2, Width, Heads, Capacity, Rows, type, headMajorValues);
        Assert.Equal(headMajorValues, cache.HeadMajorValues);
        using var executor = new GraphExecutor(backend, 256);
        using var ctx = new GgmlContext(64);
        var g = ctx.NewGraph();
        var k = ctx.NewInput("k", GgmlType.F32, Width, 2, Rows);
        var v = ctx.NewInput("v", GgmlType.F32, Width, 2, Rows);
        var positions = ctx.NewInput("positions", GgmlType.I32, 2);
        cache.Write(g, 1, k, v, positions);
        var keys = ctx.MarkOutput(ctx.Cast(ctx.Cont(cache.Keys(ctx, 1, Capacity)), GgmlType.F32));                 // {hd, cap, heads, rows}
        var values = ctx.MarkOutput(ctx.Cast(ctx.Cont(cache.ValuesTransposed(ctx, 1, Capacity)), GgmlType.F32));   // {cap, hd, heads, rows}
        g.Expand(keys).Expand(values);
        executor.Allocate(g);
        // value at (channel c, step i, row r) = 100 r + 10 i + c (+ 0.5 for values); written to slots 3 and 1
        float Key(int c, int i, int r) => 100 * r + 10 * i + c;
        k.SetData<float>(Enumerable.Range(0, Width * 2 * Rows).Select(x => Key(x % Width, x / Width % 2, x / (2 * Width))).ToArray());
        v.SetData<float>(Enumerable.Range(0, Width * 2 * Rows).Select(x => Key(x % Width, x / Width % 2, x / (2 * Width)) + 0.5f).ToArray());
        int[] slots = [3, 1];
        positions.SetData<int>(slots);
        executor.Compute(g);

        var kOut = keys.ToFloatArray();
        var vOut = values.ToFloatArray();
        for (var r = 0; r < Rows; r++)
            for (var h = 0; h < Heads; h++)
                for (var j = 0; j < Capacity; j++)
                    for (var d = 0; d < HeadDim; d++)
                    {
                        var step = Array.IndexOf(slots, j);
                        var expected = step < 0 ? 0f : Key(h * HeadDim + d, step, r);
                        Assert.Equal(expected, kOut[((r * Heads + h) * Capacity + j) * HeadDim + d]);
                        Assert.Equal(step < 0 ? 0f : expected + 0.5f, vOut[((r * Heads + h) * HeadDim + d) * Capacity + j]);
                    }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Appended_positions_read_back_per_head(bool headMajorValues)
    {
        using var backend = MusicGenFixtures.Cpu();
        using var cache = new KvCache(backend, layers: 1, Width, Heads, Capacity, Rows, GgmlType.F32, headMajorValues);
        using var executor = new GraphExecutor(backend, 256);
        using var ctx = new GgmlContext(64);
        var g = ctx.NewGraph();
        var k = ctx.NewInput("k", GgmlType.F32, Width, 2, Rows);
        var v = ctx.NewInput("v", GgmlType.F32, Width, 2, Rows);
        cache.Append(g, 0, k, v, 2);                                                     // positions 2 and 3
        var keys = ctx.MarkOutput(ctx.Cont(cache.Keys(ctx, 0, Capacity)));
        var values = ctx.MarkOutput(ctx.Cont(cache.ValuesTransposed(ctx, 0, Capacity)));
        g.Expand(keys).Expand(values);
        executor.Allocate(g);
        float Key(int c, int i, int r) => 100 * r + 10 * i + c + 1;
        k.SetData<float>(Enumerable.Range(0, Width * 2 * Rows).Select(x => Key(x % Width, x / Width % 2, x / (2 * Width))).ToArray());
        v.SetData<float>(Enumerable.Range(0, Width * 2 * Rows).Select(x => -Key(x % Width, x / Width % 2, x / (2 * Width))).ToArray());
        executor.Compute(g);
        var kOut = keys.ToFloatArray();
        var vOut = values.ToFloatArray();
        for (var r = 0; r < Rows; r++)
            for (var h = 0; h < Heads; h++)
                for (var j = 0; j < Capacity; j++)
                    for (var d = 0; d < HeadDim; d++)
                    {
                        var expected = j is 2 or 3 ? Key(h * HeadDim + d, j - 2, r) : 0f;
                        Assert.Equal(expected, kOut[((r * Heads + h) * Capacity + j) * HeadDim + d]);
                        Assert.Equal(-expected, vOut[((r * Heads + h) * HeadDim + d) * Capacity + j] + 0f);
                    }
    }

    [Fact]
    public void Bad_writes_and_reads_are_refused()
    {
        using var backend = MusicGenFixtures.Cpu();
        using var cache = new KvCache(backend, layers: 1, Width, Heads, Capacity, Rows);
        using var ctx = new GgmlContext(64);
        var g = ctx.NewGraph();
        var narrow = ctx.NewInput("narrow", GgmlType.F32, 6, 1, Rows);
        var ok = ctx.NewInput("ok", GgmlType.F32, Width, 1, Rows);
        var positions = ctx.NewInput("positions", GgmlType.I32, 1);
        var e = Assert.Throws<GgmlException>(() => cache.Write(g, 0, narrow, ok, positions));
        Assert.Contains("'narrow' [6, 1, 2] F32 is not {8, n, 2}", e.Message);
        var floatPositions = ctx.NewInput("fpos", GgmlType.F32, 1);
        e = Assert.Throws<GgmlException>(() => cache.Write(g, 0, ok, ok, floatPositions));
        Assert.Contains("set_rows", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Keys(ctx, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.ValuesTransposed(ctx, 0, Capacity + 1));
        e = Assert.Throws<GgmlException>(() => cache.Append(g, 0, ok, ok, Capacity));
        Assert.Contains("positions [5, 6) do not fit its 5 positions", e.Message);
        Assert.Throws<ArgumentException>(() => new KvCache(backend, 1, Width, 3, Capacity, Rows));
    }
}
