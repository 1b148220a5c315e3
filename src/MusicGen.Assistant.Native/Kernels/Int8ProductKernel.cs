using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// y = x·Wᵀ for a Q8_0 weight in <see cref="Int8Layout"/>, as two ggml custom ops: <see cref="Quantize"/> turns the
/// F32 activations into Q8_0-style bytes, <see cref="Multiply"/> multiplies them with integer dot products
/// (vpdpbusd: 4 byte products summed into each of 8 int32 lanes, one lane per weight row). Per block of 32 inputs the
/// int32 sums start from the rows' -128·Σw (the unsigned offset of the activations), then are scaled by the two
/// blocks' scales into F32 sums: the arithmetic of ggml's Q8_0 dot product, with the scales kept in F32. ggml's own
/// Q8_0 product forms one row-by-column dot at a time and pays the scaling per pair; here the 8 rows of a group share
/// each instruction and each scaling, and a tile of 4 columns shares each weight load.
/// </summary>
public static unsafe class Int8ProductKernel
{
    /// <summary>Whether this CPU has the 256-bit integer dot product (AVX-VNNI) and FMA the kernel is written with.</summary>
    public static bool Supported => AvxVnni.IsSupported && Fma.IsSupported && Avx2.IsSupported;

    private const int Tile = 4;
    private const int ColumnChunk = 64; // columns whose bytes stay in cache while every group of the thread passes over them
    private const int GroupRange = 16;  // groups of 8 rows per work item: 128 rows x 64 columns

    /// <summary>
    /// dst I32 {1} = 0: a work counter. ggml gives every thread of a custom op the same share, so on a host whose CPUs
    /// run at different speeds (a vCPU that also serves interrupts, a busy neighbour) the slowest sets the pace; the
    /// integer kernels take work items from a counter instead (<see cref="Claim"/>), zeroed by this node of its own,
    /// which ggml runs before the node that reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void ZeroCounter(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        if (ith == 0) *(int*)dst->Data = 0;
    }

    /// <summary>The work counter a kernel reads as its source <paramref name="index"/>.</summary>
    internal static int* Counter(GgmlTensorStruct* dst, int index) => (int*)((GgmlTensorStruct*)dst->Src[index])->Data;

    /// <summary>The next unclaimed work item of <paramref name="counter"/>.</summary>
    internal static long Claim(int* counter) => Interlocked.Increment(ref Unsafe.AsRef<int>(counter)) - 1;

    /// <summary>src[0] F32 {k, n1, n2, n3} (contiguous rows) -> dst I8 {ColumnBytes(k), n1·n2·n3}.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Quantize(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var x = (GgmlTensorStruct*)dst->Src[0];
        long k = x->Ne[0], n1 = x->Ne[1], n2 = x->Ne[2];
        var columns = dst->Ne[1];
        var stride = dst->Nb[1];
        var (from, to) = Share(columns, ith, nth);
        for (var c = from; c < to; c++)
        {
            long i1 = c % n1, i2 = c / n1 % n2, i3 = c / (n1 * n2);
            var column = (float*)((byte*)x->Data + i1 * (long)x->Nb[1] + i2 * (long)x->Nb[2] + i3 * (long)x->Nb[3]);
            QuantizeColumn(column, k, (byte*)dst->Data + c * (long)stride);
        }
    }

    /// <summary>Quantizes one column of k floats into k unsigned bytes and k/32 scales (<see cref="Int8Layout"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeColumn(float* x, long k, byte* destination)
    {
        var scales = (float*)(destination + k);
        var offset = Vector256.Create(128);
        for (long b = 0; b < k / Int8Layout.Block; b++)
        {
            scales[b] = QuantizeBlock(x + b * Int8Layout.Block, out var q0, out var q1, out var q2, out var q3);
            // |q| ≤ 127, so the shifted values are 1..255
            Vector256.Narrow(Vector256.Narrow(q0 + offset, q1 + offset).AsUInt16(), Vector256.Narrow(q2 + offset, q3 + offset).AsUInt16())
                .Store(destination + b * Int8Layout.Block);
        }
    }

    /// <summary>
    /// 32 floats quantized as Q8_0 does: returns the scale (max |x| / 127) and the values rounded to nearest even
    /// (cvtps2dq). A NaN or ±inf input makes the scale NaN, so its block's outputs are non-finite, not a silent number.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float QuantizeBlock(float* x, out Vector256<int> q0, out Vector256<int> q1, out Vector256<int> q2, out Vector256<int> q3)
    {
        Vector256<float> v0 = Vector256.Load(x), v1 = Vector256.Load(x + 8), v2 = Vector256.Load(x + 16), v3 = Vector256.Load(x + 24);
        var amax = AbsMax(v0, v1, v2, v3);
        var sum = v0 + v1 + v2 + v3;
        if (!Vector256.EqualsAll(sum, sum)) amax = float.NaN;
        var d = amax / 127f;
        var id = Vector256.Create(d != 0f ? 1f / d : 0f);
        q0 = Avx.ConvertToVector256Int32(v0 * id);
        q1 = Avx.ConvertToVector256Int32(v1 * id);
        q2 = Avx.ConvertToVector256Int32(v2 * id);
        q3 = Avx.ConvertToVector256Int32(v3 * id);
        return d;
    }

    /// <summary>max |x| over 32 values. vmaxps, not Vector256.Max: the IEEE maximum that orders NaN and signed
    /// zeros costs several instructions per call, and the callers look for NaN themselves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float AbsMax(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3) =>
        HorizontalMax(Avx.Max(Avx.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Avx.Max(Vector256.Abs(v2), Vector256.Abs(v3))));

    /// <summary>The largest of 8 lanes (vmaxps semantics).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HorizontalMax(Vector256<float> m)
    {
        var h = Sse.Max(m.GetLower(), m.GetUpper());
        h = Sse.Max(h, Sse.MoveHighToLow(h, h));
        return Sse.MaxScalar(h, Sse.Shuffle(h, h, 0b01)).ToScalar();
    }

    /// <summary>
    /// Quantizes 32 floats as Q8_0 does into signed bytes (written as 8 little-endian groups of 4 to <paramref name="groups"/>[j])
    /// and returns the scale and the sum of the values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Scale, int Sum) QuantizeBlockSigned(float* x, int* groups)
    {
        var d = QuantizeBlock(x, out var q0, out var q1, out var q2, out var q3);
        Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3)).AsInt32().Store(groups);
        return (d, Vector256.Sum(q0 + q1 + q2 + q3));
    }

    /// <summary>src[0] I8 {ColumnBytes(k), columns} from <see cref="Quantize"/> or <see cref="Int8FramesKernel"/>, src[1]
    /// the packed weight {k, n}, src[2] the work counter, src[3] (optional) a bias F32 {n} -> dst F32 {n, columns...}. Threads claim items of 64 columns × 128 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Multiply(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var xq = (GgmlTensorStruct*)dst->Src[0];
        var w = (GgmlTensorStruct*)dst->Src[1];
        var bias = dst->Src[3] != 0 ? (float*)((GgmlTensorStruct*)dst->Src[3])->Data : null;
        long k = w->Ne[0], n = w->Ne[1], columnBytes = (long)xq->Nb[1];
        var columns = dst->Ne[1] * dst->Ne[2] * dst->Ne[3];
        var counter = Counter(dst, 2);
        var groups = n / Int8Layout.Rows;
        var ranges = (groups + GroupRange - 1) / GroupRange;
        var items = (columns + ColumnChunk - 1) / ColumnChunk * ranges;
        for (var item = Claim(counter); item < items; item = Claim(counter))
        {
            long c0 = item / ranges * ColumnChunk, g0 = item % ranges * GroupRange;
            Multiply((byte*)w->Data, (byte*)xq->Data + c0 * columnBytes, columnBytes, Math.Min(ColumnChunk, columns - c0), k,
                (float*)dst->Data + c0 * n, n, (g0, Math.Min(groups, g0 + GroupRange)), bias);
        }
    }

    /// <summary>
    /// Rows 8·groups.From .. 8·groups.To of y = activations · packed weightᵀ: column c of the result starts at
    /// y + c·yStride (floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(byte* weight, byte* activations, long columnBytes, long columns, long k, float* y, long yStride, (long From, long To) groups,
        float* bias = null)
    {
        var blocks = k / Int8Layout.Block;
        var groupBytes = Int8Layout.GroupBytes(k);
        for (long c0 = 0; c0 < columns; c0 += ColumnChunk)
        {
            var c1 = Math.Min(columns, c0 + ColumnChunk);
            for (var g = groups.From; g < groups.To; g++)
            {
                var wg = weight + g * groupBytes;
                var c = c0;
                for (; c + Tile <= c1; c += Tile)
                    Tile4(wg, blocks, activations + c * columnBytes, columnBytes, k, y + c * yStride + g * Int8Layout.Rows, yStride, Start(bias, g));
                for (; c < c1; c++)
                    Tile1(wg, blocks, activations + c * columnBytes, k, y + c * yStride + g * Int8Layout.Rows, Start(bias, g));
            }
        }
    }

    internal static (long From, long To) Share(long count, int ith, int nth) => (count * ith / nth, count * (ith + 1) / nth);

    /// <summary>8 rows × 4 columns: each weight load feeds four dot products, each column's 4 input bytes are broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // the sums start from the group's 8 biases (a Linear's bias added for free) or zero
    private static Vector256<float> Start(float* bias, long group) =>
        bias == null ? Vector256<float>.Zero : Vector256.Load(bias + group * Int8Layout.Rows);

    private static void Tile4(byte* wg, long blocks, byte* a0, long columnBytes, long k, float* y, long n, Vector256<float> start)
    {
        byte* a1 = a0 + columnBytes, a2 = a1 + columnBytes, a3 = a2 + columnBytes;
        float* d0 = (float*)(a0 + k), d1 = (float*)(a1 + k), d2 = (float*)(a2 + k), d3 = (float*)(a3 + k);
        Vector256<float> f0 = start, f1 = start, f2 = start, f3 = start;
        for (long b = 0; b < blocks; b++)
        {
            var block = wg + b * Int8Layout.GroupBlockBytes;
            var offsets = Avx.LoadVector256((int*)(block + Int8Layout.OffsetsOffset));
            Vector256<int> i0 = offsets, i1 = offsets, i2 = offsets, i3 = offsets;
            var at = b * Int8Layout.Block;
            for (var j = 0; j < Int8Layout.Block / 4; j++)
            {
                var wv = Avx.LoadVector256((sbyte*)(block + j * 32));
                var o = at + j * 4;
                i0 = AvxVnni.MultiplyWideningAndAdd(i0, Vector256.Create(*(int*)(a0 + o)).AsByte(), wv);
                i1 = AvxVnni.MultiplyWideningAndAdd(i1, Vector256.Create(*(int*)(a1 + o)).AsByte(), wv);
                i2 = AvxVnni.MultiplyWideningAndAdd(i2, Vector256.Create(*(int*)(a2 + o)).AsByte(), wv);
                i3 = AvxVnni.MultiplyWideningAndAdd(i3, Vector256.Create(*(int*)(a3 + o)).AsByte(), wv);
            }
            var ws = Avx.LoadVector256((float*)(block + Int8Layout.ScalesOffset));
            f0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i0), ws * Vector256.Create(d0[b]), f0);
            f1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i1), ws * Vector256.Create(d1[b]), f1);
            f2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i2), ws * Vector256.Create(d2[b]), f2);
            f3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i3), ws * Vector256.Create(d3[b]), f3);
        }
        f0.Store(y);
        f1.Store(y + n);
        f2.Store(y + 2 * n);
        f3.Store(y + 3 * n);
    }

    /// <summary>8 rows × 1 column, for the columns left over after the tiles of 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1(byte* wg, long blocks, byte* a, long k, float* y, Vector256<float> start)
    {
        var d = (float*)(a + k);
        var f = start;
        for (long b = 0; b < blocks; b++)
        {
            var block = wg + b * Int8Layout.GroupBlockBytes;
            var i = Avx.LoadVector256((int*)(block + Int8Layout.OffsetsOffset));
            var at = b * Int8Layout.Block;
            for (var j = 0; j < Int8Layout.Block / 4; j++)
                i = AvxVnni.MultiplyWideningAndAdd(i, Vector256.Create(*(int*)(a + at + j * 4)).AsByte(), Avx.LoadVector256((sbyte*)(block + j * 32)));
            f = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i), Avx.LoadVector256((float*)(block + Int8Layout.ScalesOffset)) * Vector256.Create(d[b]), f);
        }
        f.Store(y);
    }
}
