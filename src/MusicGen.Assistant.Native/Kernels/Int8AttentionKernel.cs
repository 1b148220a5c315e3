using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// Unmasked multi-head attention softmax(scale·q·kᵀ)·v with both products as integer dot products
/// (<see cref="Int8ProductKernel"/>'s tiles), for encoders whose projections are already Q8_0 (the same precision as
/// llama.cpp's q8_0 key cache): two ggml custom ops.
/// <list type="number">
/// <item><see cref="Pack"/>: per item and head, the keys as the rows of a packed weight {head_dim, keys} (Q8_0 per key
/// and 32 dims, with the -128·Σ offsets the shifted queries need) and the values transposed, as a packed weight
/// {keys, head_dim} whose rows are the head's dims (Q8_0 per dim and 32 keys, no offsets).</item>
/// <item><see cref="Attend"/>: per block of 32 queries: the queries quantized as activations, the scores of all keys
/// (integer products, F32 out), an exact F32 softmax, the probabilities quantized per 32 keys as unsigned bytes
/// (scale = the block's largest / 255, so a block of small weights keeps its own precision) with the softmax's
/// normalizer folded into the scales, and the values' product written into the merged heads.</item>
/// </list>
/// </summary>
public static unsafe class Int8AttentionKernel
{
    public const int QueryBlock = 32;

    /// <summary>Most keys one attention takes: each thread keeps a block of queries' scores over all keys (8 MiB here).</summary>
    public const long MaxKeys = 1 << 16;

    /// <summary>Keys rounded up to whole groups of 8 rows (the keys' packed weight).</summary>
    public static long KeyRows(long n) => (n + Int8Layout.Rows - 1) / Int8Layout.Rows * Int8Layout.Rows;

    /// <summary>Keys rounded up to whole blocks of 32 (the values' packed inputs).</summary>
    public static long KeyInputs(long n) => (n + Int8Layout.Block - 1) / Int8Layout.Block * Int8Layout.Block;

    /// <summary>Bytes of one item's and head's packed keys and values (64-byte aligned).</summary>
    public static long HeadBytes(long headDim, long n) =>
        (Int8Layout.WeightBytes(headDim, KeyRows(n)) + Int8Layout.WeightBytes(KeyInputs(n), headDim) + 63) / 64 * 64;

    /// <summary>Whether heads of this size fit the layout (whole blocks of 32 dims) and the keys the scratch.</summary>
    public static bool Takes(long headDim, long keys) => headDim > 0 && headDim % Int8Layout.Block == 0 && keys is > 0 and <= MaxKeys;

    /// <summary>src[0] keys, src[1] values, F32 {width, n, items} with contiguous rows -> dst I8 {HeadBytes, heads·items}.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Pack(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var k = (GgmlTensorStruct*)dst->Src[0];
        var v = (GgmlTensorStruct*)dst->Src[1];
        var heads = (int)userdata;
        long width = k->Ne[0], n = k->Ne[1], hd = width / heads;
        var (from, to) = Int8ProductKernel.Share(dst->Ne[1], ith, nth);
        for (var item = from; item < to; item++)
        {
            long b = item / heads, h = item % heads;
            var target = (byte*)dst->Data + item * (long)dst->Nb[1];
            PackKeys((byte*)k->Data + b * (long)k->Nb[2] + h * hd * sizeof(float), (long)k->Nb[1], n, hd, target);
            PackValues((byte*)v->Data + b * (long)v->Nb[2] + h * hd * sizeof(float), (long)v->Nb[1], n, hd,
                target + Int8Layout.WeightBytes(hd, KeyRows(n)));
        }
    }

    // keys as rows: row t = key t's hd dims (padding rows zero)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackKeys(byte* keys, long keyStride, long n, long hd, byte* target)
    {
        var blocks = hd / Int8Layout.Block;
        var groups = stackalloc int[Int8Layout.Rows];
        for (long t = 0; t < KeyRows(n); t++)
        {
            long g = t / Int8Layout.Rows, r = t % Int8Layout.Rows;
            for (long bb = 0; bb < blocks; bb++)
            {
                var block = target + g * Int8Layout.GroupBytes(hd) + bb * Int8Layout.GroupBlockBytes;
                var (d, sum) = t < n
                    ? Int8ProductKernel.QuantizeBlockSigned((float*)(keys + t * keyStride) + bb * Int8Layout.Block, groups)
                    : Zero(groups);
                ((float*)(block + Int8Layout.ScalesOffset))[r] = d;
                ((int*)(block + Int8Layout.OffsetsOffset))[r] = -128 * sum;
                for (var j = 0; j < Int8Layout.Block / 4; j++) *(int*)(block + j * 32 + r * 4) = groups[j];
            }
        }
    }

    private static (float, int) Zero(int* groups)
    {
        for (var j = 0; j < Int8Layout.Rows; j++) groups[j] = 0;
        return (0f, 0);
    }

    // values transposed: row d = dim d over the keys; 8 dims (one group) are one vector per key, so each lane is a row
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackValues(byte* values, long keyStride, long n, long hd, byte* target)
    {
        var inputs = KeyInputs(n);
        var blocks = inputs / Int8Layout.Block;
        var q = stackalloc Vector256<float>[Int8Layout.Block];
        for (long g = 0; g < hd / Int8Layout.Rows; g++)
            for (long kb = 0; kb < blocks; kb++)
            {
                var amax = Vector256<float>.Zero;
                for (var i = 0; i < Int8Layout.Block; i++)
                {
                    var key = kb * Int8Layout.Block + i;
                    q[i] = key < n ? Vector256.Load((float*)(values + key * keyStride) + g * Int8Layout.Rows) : Vector256<float>.Zero;
                    amax = Vector256.Max(amax, Vector256.Abs(q[i]));
                }
                var d = amax / Vector256.Create(127f);
                var id = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), Vector256<float>.Zero, Vector256<float>.One / d);
                var block = target + g * Int8Layout.GroupBytes(inputs) + kb * Int8Layout.GroupBlockBytes;
                var low = Vector256.Create(0xFF);
                for (var j = 0; j < Int8Layout.Block / 4; j++)
                {
                    var b0 = Avx.ConvertToVector256Int32(q[4 * j] * id) & low;
                    var b1 = Avx.ConvertToVector256Int32(q[4 * j + 1] * id) & low;
                    var b2 = Avx.ConvertToVector256Int32(q[4 * j + 2] * id) & low;
                    var b3 = Avx.ConvertToVector256Int32(q[4 * j + 3] * id) & low;
                    (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)).Store((int*)(block + j * 32));
                }
                d.Store((float*)(block + Int8Layout.ScalesOffset));
                Vector256<int>.Zero.Store((int*)(block + Int8Layout.OffsetsOffset)); // the probabilities are unsigned as they are
            }
    }

    /// <summary>
    /// src[0] queries F32 {width, n, items} (contiguous rows), src[1] <see cref="Pack"/>'s bytes, src[2] the work counter -> dst F32 {width, n, items}
    /// contiguous. userdata: heads; op param 0 (after the frame kernels' first): the scale's bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Attend(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var q = (GgmlTensorStruct*)dst->Src[0];
        var packed = (GgmlTensorStruct*)dst->Src[1];
        var heads = (int)userdata;
        var scale = BitConverter.Int32BitsToSingle(dst->OpParams[FrameKernels.FirstParam]);
        long width = q->Ne[0], n = q->Ne[1], items = q->Ne[2], hd = width / heads;
        long rows = KeyRows(n), inputs = KeyInputs(n);
        long queryBytes = Int8Layout.ColumnBytes(hd), weightBytes = Int8Layout.ColumnBytes(inputs);
        var blocksPerHead = (n + QueryBlock - 1) / QueryBlock;
        var work = items * heads * blocksPerHead;
        var counter = Int8ProductKernel.Counter(dst, 2);
        var scores = (float*)NativeMemory.AlignedAlloc((nuint)(QueryBlock * inputs * sizeof(float)), 64); // a row per query, room for the padded keys
        var quantized = (byte*)NativeMemory.AlignedAlloc((nuint)(QueryBlock * queryBytes), 64);
        var weights = (byte*)NativeMemory.AlignedAlloc((nuint)(QueryBlock * weightBytes), 64);
        try
        {
            for (var w = Int8ProductKernel.Claim(counter); w < work; w = Int8ProductKernel.Claim(counter))
            {
                long head = w / blocksPerHead, qb = w % blocksPerHead, b = head / heads, h = head % heads;
                long t0 = qb * QueryBlock, count = Math.Min(QueryBlock, n - t0);
                var pack = (byte*)packed->Data + head * (long)packed->Nb[1];
                for (long j = 0; j < count; j++)
                    Int8ProductKernel.QuantizeColumn((float*)((byte*)q->Data + b * (long)q->Nb[2] + (t0 + j) * (long)q->Nb[1]) + h * hd, hd, quantized + j * queryBytes);
                Int8ProductKernel.Multiply(pack, quantized, queryBytes, count, hd, scores, inputs, (0, rows / Int8Layout.Rows));
                for (long j = 0; j < count; j++)
                    Probabilities(scores + j * inputs, n, inputs, scale, weights + j * weightBytes);
                var output = (float*)dst->Data + (b * n + t0) * width + h * hd;
                Int8ProductKernel.Multiply(pack + Int8Layout.WeightBytes(hd, rows), weights, weightBytes, count, inputs, output, width, (0, hd / Int8Layout.Rows));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(scores);
            NativeMemory.AlignedFree(quantized);
            NativeMemory.AlignedFree(weights);
        }
    }

    /// <summary>
    /// One query's softmax over its n scores (exact, F32), written as unsigned bytes per block of 32 keys with the
    /// block's scale = its largest probability / 255 / Σ probabilities (padding keys: 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Probabilities(float* s, long n, long inputs, float scale, byte* destination)
    {
        var max = float.NegativeInfinity;
        long i = 0;
        var vmax = Vector256.Create(float.NegativeInfinity);
        for (; i + 8 <= n; i += 8) vmax = Avx.Max(vmax, Vector256.Load(s + i));
        max = Int8ProductKernel.HorizontalMax(vmax);
        for (; i < n; i++) max = MathF.Max(max, s[i]);
        // e = exp(scale·(s - max)) in place; padding keys become 0
        var vs = Vector256.Create(scale);
        var vm = Vector256.Create(max);
        var vsum = Vector256<float>.Zero;
        for (i = 0; i + 8 <= n; i += 8)
        {
            var e = NegativeExp.Exp((Vector256.Load(s + i) - vm) * vs);
            e.Store(s + i);
            vsum += e;
        }
        var sum = Vector256.Sum(vsum);
        for (; i < n; i++) sum += s[i] = NegativeExp.Exp((s[i] - max) * scale);
        for (; i < inputs; i++) s[i] = 0f;
        var scales = (float*)(destination + inputs);
        var offset = Vector256.Create(0.5f);
        for (long b = 0; b < inputs / Int8Layout.Block; b++)
        {
            var p = s + b * Int8Layout.Block;
            Vector256<float> v0 = Vector256.Load(p), v1 = Vector256.Load(p + 8), v2 = Vector256.Load(p + 16), v3 = Vector256.Load(p + 24);
            var largest = Int8ProductKernel.HorizontalMax(Avx.Max(Avx.Max(v0, v1), Avx.Max(v2, v3)));
            var id = Vector256.Create(largest > 0f ? 255f / largest : 0f);
            scales[b] = largest / 255f / sum;
            // non-negative values: truncating x + 0.5 rounds to nearest
            var q0 = Avx.ConvertToVector256Int32WithTruncation(Fma.MultiplyAdd(v0, id, offset));
            var q1 = Avx.ConvertToVector256Int32WithTruncation(Fma.MultiplyAdd(v1, id, offset));
            var q2 = Avx.ConvertToVector256Int32WithTruncation(Fma.MultiplyAdd(v2, id, offset));
            var q3 = Avx.ConvertToVector256Int32WithTruncation(Fma.MultiplyAdd(v3, id, offset));
            Vector256.Narrow(Vector256.Narrow(q0, q1).AsUInt16(), Vector256.Narrow(q2, q3).AsUInt16()).Store(destination + b * Int8Layout.Block);
        }
    }
}
