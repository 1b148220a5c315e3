using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// One LSTM time step after the recurrent product (CPU backend only): gates = W_hh·h + projected[:, t] in the order
/// i, f, g, o; c = σ(f)·c_prev + σ(i)·tanh(g); h = σ(o)·tanh(c). It replaces about ten ggml nodes (each a thread
/// barrier, and ggml's sigmoid and tanh run on one thread through libm) with one vectorized node; σ and tanh are
/// evaluated through <see cref="NegativeExp"/> to a few float ulps.
/// </summary>
internal static unsafe class LstmCellKernel
{
    private const int Lanes = 8;

    /// <summary>
    /// dst = the state sequence {w, 2·steps} (h_t in column t, c_t in column steps + t), updated in place at step
    /// <c>userdata</c>; src[1] = W_hh·h_{t-1} {4w}, src[2] = projected inputs {4w, steps}, src[3] = c_{t-1} {w}.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    public static void Step(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var t = (long)userdata;
        var recurrent = (float*)((GgmlTensorStruct*)dst->Src[1])->Data;
        var projectedTensor = (GgmlTensorStruct*)dst->Src[2];
        var projected = (float*)((byte*)projectedTensor->Data + t * (long)projectedTensor->Nb[1]);
        var cPrev = (float*)((GgmlTensorStruct*)dst->Src[3])->Data;
        var width = dst->Ne[0];
        var steps = dst->Ne[1] / 2;
        var h = (float*)((byte*)dst->Data + t * (long)dst->Nb[1]);
        var c = (float*)((byte*)dst->Data + (steps + t) * (long)dst->Nb[1]);

        var per = ((width + nth - 1) / nth + Lanes - 1) / Lanes * Lanes;          // whole vectors per thread
        var from = Math.Min(width, per * ith);
        var to = Math.Min(width, from + per);
        var k = from;
        if (Vector256.IsHardwareAccelerated)
            for (; k + Lanes <= to; k += Lanes)
            {
                var i = Sigmoid(Vector256.Load(recurrent + k) + Vector256.Load(projected + k));
                var f = Sigmoid(Vector256.Load(recurrent + width + k) + Vector256.Load(projected + width + k));
                var g = Tanh(Vector256.Load(recurrent + 2 * width + k) + Vector256.Load(projected + 2 * width + k));
                var o = Sigmoid(Vector256.Load(recurrent + 3 * width + k) + Vector256.Load(projected + 3 * width + k));
                var cell = f * Vector256.Load(cPrev + k) + i * g;
                cell.Store(c + k);
                (o * Tanh(cell)).Store(h + k);
            }
        for (; k < to; k++)
        {
            var i = Sigmoid(recurrent[k] + projected[k]);
            var f = Sigmoid(recurrent[width + k] + projected[width + k]);
            var g = Tanh(recurrent[2 * width + k] + projected[2 * width + k]);
            var o = Sigmoid(recurrent[3 * width + k] + projected[3 * width + k]);
            var cell = f * cPrev[k] + i * g;
            c[k] = cell;
            h[k] = o * Tanh(cell);
        }
    }

    // σ(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below, with e = exp(-|x|) <= 1: no overflow, full precision.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var e = NegativeExp.Exp(-Vector256.Abs(x));
        var positive = Vector256<float>.One / (Vector256<float>.One + e);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), positive, e * positive);
    }

    // tanh|x| = -m / (2 + m) with m = expm1(-2|x|), exact near 0; the sign of x is put back.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x)
    {
        var m = NegativeExp.Expm1(Vector256.Create(-2f) * Vector256.Abs(x));
        var magnitude = -m / (Vector256.Create(2f) + m);
        return Vector256.CopySign(magnitude, x);
    }

    private static float Sigmoid(float x)
    {
        var e = NegativeExp.Exp(-MathF.Abs(x));
        var positive = 1f / (1f + e);
        return x >= 0 ? positive : e * positive;
    }

    private static float Tanh(float x)
    {
        var m = NegativeExp.Expm1(-2f * MathF.Abs(x));
        return MathF.CopySign(-m / (2f + m), x);
    }
}
