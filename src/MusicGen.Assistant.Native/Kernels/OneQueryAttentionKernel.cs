using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// Attention of one query per (row, head) over cached keys and transposed values, in one node: what a decode step
/// does with ggml's scores product, masked softmax, value product and head merge (four nodes, each a thread barrier,
/// and products that pay per-call overhead on every 64-value key). Per (row, head): s_j = scale·q·k_j + mask_j,
/// p = softmax(s) (max subtracted, sum in double), out = Σ_j p_j·v_j. Keys whose mask is below
/// <see cref="SkipBelow"/> get p_j = 0 exactly (as their exp underflows in ggml) and are not read at all, so the
/// blocked tail of a padded cache costs nothing; a row with every key blocked keeps ggml's uniform softmax.
/// </summary>
internal static unsafe class OneQueryAttentionKernel
{
    private const int Lanes = 8;

    /// <summary>Mask values at or below this (the blocked value float.MinValue, or -inf) mark keys that get no weight.</summary>
    public const float SkipBelow = -1e30f;

    /// <summary>
    /// dst {width, 1, rows} (heads side by side, as merged heads) from src[0] = queries {width, 1, rows} (contiguous),
    /// src[1] = keys {hd, n_kv, heads, rows} (unit element stride along ne0), src[2] = transposed values
    /// {n_kv, hd, heads, rows} (unit stride along n_kv, or along hd: a permuted view of head-major values), src[3] =
    /// optional mask {n_kv, ≥1, 1, 1 or rows} (F32, row 0 used). Params: the scale's float bits. Threads split the
    /// (row, head) pairs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    public static void Run(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var q = (GgmlTensorStruct*)dst->Src[0];
        var k = (GgmlTensorStruct*)dst->Src[1];
        var v = (GgmlTensorStruct*)dst->Src[2];
        var mask = (GgmlTensorStruct*)dst->Src[3];
        var scale = BitConverter.Int32BitsToSingle(dst->OpParams[FrameKernels.FirstParam]);
        int hd = (int)k->Ne[0], keys = (int)k->Ne[1], heads = (int)k->Ne[2], rows = (int)k->Ne[3];
        var units = heads * rows;
        var per = (units + nth - 1) / nth;
        var from = Math.Min(units, per * ith);
        var to = Math.Min(units, from + per);
        var scores = keys <= 4096 ? stackalloc float[keys] : new float[keys];
        for (var u = from; u < to; u++)
        {
            int r = u / heads, h = u % heads;
            var query = (float*)((byte*)q->Data + r * (long)q->Nb[2]) + h * hd;
            var kBase = (byte*)k->Data + h * (long)k->Nb[2] + r * (long)k->Nb[3];
            var vBase = (byte*)v->Data + h * (long)v->Nb[2] + r * (long)v->Nb[3];
            var m = mask == null ? null : (float*)((byte*)mask->Data + (mask->Ne[3] == 1 ? 0 : r * (long)mask->Nb[3]));
            var output = (float*)((byte*)dst->Data + r * (long)dst->Nb[2]) + h * hd;
            var headMajor = v->Nb[0] != sizeof(float);
            Attend(hd, keys, query, kBase, (long)k->Nb[1], vBase, (long)(headMajor ? v->Nb[0] : v->Nb[1]), headMajor, m, scale, scores, output);
        }
    }

    /// <summary>
    /// One (row, head): keys at kBase + j·kStride (hd floats each); values transposed at vBase + d·vStride (keys
    /// floats each) or, <paramref name="headMajor"/>, at vBase + j·vStride (hd floats each).
    /// </summary>
    public static void Attend(int hd, int keys, float* query, byte* kBase, long kStride, byte* vBase, long vStride, bool headMajor,
        float* mask, float scale, Span<float> scores, float* output)
    {
        // keys past the last open one (a cache's unwritten tail) are never read
        var end = keys;
        if (mask != null)
            while (end > 0 && mask[end - 1] <= SkipBelow) end--;
        if (end == 0)
        {
            // every key blocked: ggml's softmax sees equal (blocked) scores and spreads the weight evenly
            end = keys;
            Scores(hd, end, query, kBase, kStride, scale, scores);
            for (var j = 0; j < end; j++) scores[j] += mask[j];
        }
        else
        {
            Scores(hd, end, query, kBase, kStride, scale, scores);
            if (mask != null)
                for (var j = 0; j < end; j++)
                    scores[j] = mask[j] <= SkipBelow ? float.NegativeInfinity : scores[j] + mask[j];
        }
        var max = float.NegativeInfinity;
        for (var j = 0; j < end; j++) max = MathF.Max(max, scores[j]);
        var inv = (float)(1.0 / ExpSum(scores[..end], max));
        fixed (float* p = scores)
        {
            for (var j = 0; j < end; j++) p[j] *= inv;
            if (headMajor) WeightedRows(p, end, vBase, vStride, hd, output);
            else
                for (var d = 0; d < hd; d++) output[d] = Dot(p, (float*)(vBase + d * vStride), end);
        }
    }

    // output[0..hd) = Σ_j p_j · row_j, rows of hd floats at vBase + j·stride (head-major values: one pass over them)
    private static void WeightedRows(float* p, int count, byte* vBase, long stride, int hd, float* output)
    {
        new Span<float>(output, hd).Clear();
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 4 * Lanes <= hd; i += 4 * Lanes)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (var j = 0; j < count; j++)
                {
                    var w = Vector256.Create(p[j]);
                    var row = (float*)(vBase + j * stride) + i;
                    a0 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row), a0);
                    a1 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row + Lanes), a1);
                    a2 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row + 2 * Lanes), a2);
                    a3 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row + 3 * Lanes), a3);
                }
                a0.Store(output + i);
                a1.Store(output + i + Lanes);
                a2.Store(output + i + 2 * Lanes);
                a3.Store(output + i + 3 * Lanes);
            }
        for (; i < hd; i++)
        {
            var sum = 0f;
            for (var j = 0; j < count; j++) sum = MathF.FusedMultiplyAdd(p[j], ((float*)(vBase + j * stride))[i], sum);
            output[i] = sum;
        }
    }

    // scores[j] = scale · q·k_j for j < count, four keys per pass (one horizontal sum per key at the end)
    private static void Scores(int hd, int count, float* q, byte* kBase, long kStride, float scale, Span<float> scores)
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated && hd % Lanes == 0)
            for (; j + 4 <= count; j += 4)
            {
                var k0 = (float*)(kBase + j * kStride);
                var k1 = (float*)(kBase + (j + 1) * kStride);
                var k2 = (float*)(kBase + (j + 2) * kStride);
                var k3 = (float*)(kBase + (j + 3) * kStride);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (var i = 0; i < hd; i += Lanes)
                {
                    var qi = Vector256.Load(q + i);
                    a0 = Vector256.FusedMultiplyAdd(qi, Vector256.Load(k0 + i), a0);
                    a1 = Vector256.FusedMultiplyAdd(qi, Vector256.Load(k1 + i), a1);
                    a2 = Vector256.FusedMultiplyAdd(qi, Vector256.Load(k2 + i), a2);
                    a3 = Vector256.FusedMultiplyAdd(qi, Vector256.Load(k3 + i), a3);
                }
                scores[j] = Vector256.Sum(a0) * scale;
                scores[j + 1] = Vector256.Sum(a1) * scale;
                scores[j + 2] = Vector256.Sum(a2) * scale;
                scores[j + 3] = Vector256.Sum(a3) * scale;
            }
        for (; j < count; j++) scores[j] = Dot(q, (float*)(kBase + j * kStride), hd) * scale;
    }

    // scores[j] = exp(scores[j] - max) in place (-inf gives exactly 0), returning their sum in double
    private static double ExpSum(Span<float> scores, float max)
    {
        var sum = 0.0;
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(max);
            fixed (float* p = scores)
                for (; j + Lanes <= scores.Length; j += Lanes)
                {
                    var x = Vector256.Load(p + j);
                    var e = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.NegativeInfinity)),
                        Vector256<float>.Zero, NegativeExp.Exp(x - m));
                    e.Store(p + j);
                    sum += Vector256.Sum(e);
                }
        }
        for (; j < scores.Length; j++)
        {
            var e = float.IsNegativeInfinity(scores[j]) ? 0f : NegativeExp.Exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= Lanes)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i + 2 * Lanes <= n; i += 2 * Lanes)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + Lanes), Vector256.Load(b + i + Lanes), acc1);
            }
            for (; i + Lanes <= n; i += Lanes)
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }
}
