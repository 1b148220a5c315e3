using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// A convolution straight from channels-first frames (CPU backend only; transposed convs and plain products map onto
/// it too): y[o, t] = bias[o] + Σ_q Σ_i W[q·in + i, o] · x[i, t·step + q·dilation] (+ skip[o, t]).
/// ggml's f32 GEMM (llamafile's tinyBLAS) forms each output as a dot product and pays a horizontal sum per output,
/// which dominates when the inner dimension is small (the 32- to 256-channel layers at audio rate) and still costs at
/// 1024. Here each input value is broadcast against vectors of outputs: 32 outputs by 4 frames per pass in 512-bit
/// registers where the CPU has them (16 by 4 in 256-bit ones otherwise), with the weights blocked by 16 outputs
/// ({16, taps·in, ceil(out/16)}, zero-filled past the last output) so a pass reads them sequentially and they stay in
/// cache across a run of frames. Narrow outputs (fewer than 8 channels, the last conv to audio) use dot products over
/// the contiguous window instead.
/// </summary>
internal static unsafe class ConvFramesKernel
{
    /// <summary>Outputs per weight block.</summary>
    public const int Block = 16;

    private const int Lanes = 8;

    /// <summary>Longest weight row (taps·in) of a conv with fewer than 8 outputs: it is copied to the stack.</summary>
    public const int MaxDotRow = 16384;

    // Frames are taken in runs; within a run each weight block is reused for every 4-frame group before the next one.
    private const int FrameRun = 32;

    /// <summary>src[0] = frames {in, T}, src[1] = W {16, taps·in, blocks} F32, src[2] = bias {out}, src[3] = skip
    /// {out, frames} or absent. Params (op_params words 8..): taps, step, dilation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    public static void Run(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var x = (GgmlTensorStruct*)dst->Src[0];
        var w = (float*)((GgmlTensorStruct*)dst->Src[1])->Data;
        var bias = (float*)((GgmlTensorStruct*)dst->Src[2])->Data;
        var skipTensor = (GgmlTensorStruct*)dst->Src[3];
        var skip = skipTensor == null ? null : (float*)skipTensor->Data;
        var p = dst->OpParams + FrameKernels.FirstParam;
        var shape = new Shape((int)x->Ne[0], (int)dst->Ne[0], p[0], p[1], p[2]);
        var frames = dst->Ne[1];
        var per = (frames + nth - 1) / nth;
        var from = Math.Min(frames, per * ith);
        var to = Math.Min(frames, from + per);
        var input = (float*)x->Data;
        var output = (float*)dst->Data;
        if (shape.Out >= Lanes && Vector256.IsHardwareAccelerated) Broadcast(shape, input, w, bias, skip, output, from, to);
        else Dots(shape, input, w, bias, skip, output, from, to);
    }

    private readonly record struct Shape(int In, int Out, int Taps, int Step, int Dilation)
    {
        public long BlockFloats => (long)Taps * In * Block;
    }

    private static void Broadcast(Shape s, float* x, float* w, float* bias, float* skip, float* y, long from, long to)
    {
        var fullBlocks = s.Out / Block;
        for (var run = from; run < to; run += FrameRun)
        {
            var end = Math.Min(to, run + FrameRun);
            var groupsEnd = run + (end - run) / 4 * 4;
            var b = 0;
            // with AVX-512 a whole block is one register: two blocks by 4 frames per pass (ggml's own kernels already
            // run 512-bit code, so the clock is no lower for it)
            if (Avx512F.IsSupported)
                for (; b + 2 <= fullBlocks; b += 2)
                    for (var t = run; t < groupsEnd; t += 4) Block32x4(s, x, w + b * s.BlockFloats, bias, skip, y, t, b * Block);
            for (; b < fullBlocks; b++)
                for (var t = run; t < groupsEnd; t += 4) Block16x4(s, x, w + b * s.BlockFloats, bias, skip, y, t, b * Block);
            for (var t = run; t < groupsEnd; t++) Rest(s, x, w, bias, skip, y, t, fullBlocks * Block);
            for (var t = groupsEnd; t < end; t++) Rest(s, x, w, bias, skip, y, t, 0);
        }
    }

    // Outputs [first, out) of one frame: 8 at a time, then one by one.
    private static void Rest(Shape s, float* x, float* w, float* bias, float* skip, float* y, long t, int first)
    {
        var o = first;
        for (; o + Lanes <= s.Out; o += Lanes) Block8x1(s, x, w, bias, skip, y, t, o);
        for (; o < s.Out; o++) One(s, x, w, bias, skip, y, t, o);
    }

    // 16 outputs x 4 frames: 8 accumulators, 2 weight vectors and one broadcast live at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block16x4(Shape s, float* x, float* wb, float* bias, float* skip, float* y, long t, int o)
    {
        var b0 = Vector256.Load(bias + o);
        var b1 = Vector256.Load(bias + o + Lanes);
        Vector256<float> a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        long frameStep = (long)s.Step * s.In;
        var wq = wb;
        for (var q = 0; q < s.Taps; q++)
        {
            var x0 = x + (t * s.Step + (long)q * s.Dilation) * s.In;
            var x1 = x0 + frameStep;
            var x2 = x1 + frameStep;
            var x3 = x2 + frameStep;
            for (var i = 0; i < s.In; i++, wq += Block)
            {
                var w0 = Vector256.Load(wq);
                var w1 = Vector256.Load(wq + Lanes);
                var v = Vector256.Create(x0[i]);
                a00 = Vector256.FusedMultiplyAdd(w0, v, a00);
                a01 = Vector256.FusedMultiplyAdd(w1, v, a01);
                v = Vector256.Create(x1[i]);
                a10 = Vector256.FusedMultiplyAdd(w0, v, a10);
                a11 = Vector256.FusedMultiplyAdd(w1, v, a11);
                v = Vector256.Create(x2[i]);
                a20 = Vector256.FusedMultiplyAdd(w0, v, a20);
                a21 = Vector256.FusedMultiplyAdd(w1, v, a21);
                v = Vector256.Create(x3[i]);
                a30 = Vector256.FusedMultiplyAdd(w0, v, a30);
                a31 = Vector256.FusedMultiplyAdd(w1, v, a31);
            }
        }
        Store(a00, a01, s, skip, y, t, o);
        Store(a10, a11, s, skip, y, t + 1, o);
        Store(a20, a21, s, skip, y, t + 2, o);
        Store(a30, a31, s, skip, y, t + 3, o);
    }

    // 32 outputs (two weight blocks) x 4 frames in 512-bit registers: 8 accumulators, 2 weight vectors, one broadcast.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block32x4(Shape s, float* x, float* wb, float* bias, float* skip, float* y, long t, int o)
    {
        var b0 = Avx512F.LoadVector512(bias + o);
        var b1 = Avx512F.LoadVector512(bias + o + Block);
        Vector512<float> a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        long frameStep = (long)s.Step * s.In;
        var wq0 = wb;
        var wq1 = wb + s.BlockFloats;
        for (var q = 0; q < s.Taps; q++)
        {
            var x0 = x + (t * s.Step + (long)q * s.Dilation) * s.In;
            var x1 = x0 + frameStep;
            var x2 = x1 + frameStep;
            var x3 = x2 + frameStep;
            for (var i = 0; i < s.In; i++, wq0 += Block, wq1 += Block)
            {
                var w0 = Avx512F.LoadVector512(wq0);
                var w1 = Avx512F.LoadVector512(wq1);
                var v = Vector512.Create(x0[i]);
                a00 = Avx512F.FusedMultiplyAdd(w0, v, a00);
                a01 = Avx512F.FusedMultiplyAdd(w1, v, a01);
                v = Vector512.Create(x1[i]);
                a10 = Avx512F.FusedMultiplyAdd(w0, v, a10);
                a11 = Avx512F.FusedMultiplyAdd(w1, v, a11);
                v = Vector512.Create(x2[i]);
                a20 = Avx512F.FusedMultiplyAdd(w0, v, a20);
                a21 = Avx512F.FusedMultiplyAdd(w1, v, a21);
                v = Vector512.Create(x3[i]);
                a30 = Avx512F.FusedMultiplyAdd(w0, v, a30);
                a31 = Avx512F.FusedMultiplyAdd(w1, v, a31);
            }
        }
        Store512(a00, a01, s, skip, y, t, o);
        Store512(a10, a11, s, skip, y, t + 1, o);
        Store512(a20, a21, s, skip, y, t + 2, o);
        Store512(a30, a31, s, skip, y, t + 3, o);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(Vector512<float> lo, Vector512<float> hi, Shape s, float* skip, float* y, long t, int o)
    {
        var at = t * s.Out + o;
        if (skip != null)
        {
            lo = Avx512F.Add(lo, Avx512F.LoadVector512(skip + at));
            hi = Avx512F.Add(hi, Avx512F.LoadVector512(skip + at + Block));
        }
        Avx512F.Store(y + at, lo);
        Avx512F.Store(y + at + Block, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> lo, Vector256<float> hi, Shape s, float* skip, float* y, long t, int o)
    {
        var at = t * s.Out + o;
        if (skip != null)
        {
            lo += Vector256.Load(skip + at);
            hi += Vector256.Load(skip + at + Lanes);
        }
        lo.Store(y + at);
        hi.Store(y + at + Lanes);
    }

    // Weight of input j (= q·in + i) for output o in the blocked layout.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* WeightAt(Shape s, float* w, long j, int o) => w + o / Block * s.BlockFloats + j * Block + o % Block;

    private static void Block8x1(Shape s, float* x, float* w, float* bias, float* skip, float* y, long t, int o)
    {
        var acc = Vector256.Load(bias + o);
        var wj = WeightAt(s, w, 0, o);                                          // o % 16 is 0 or 8: 8 lanes in one block
        for (var q = 0; q < s.Taps; q++)
        {
            var xq = x + (t * s.Step + (long)q * s.Dilation) * s.In;
            for (var i = 0; i < s.In; i++, wj += Block) acc = Vector256.FusedMultiplyAdd(Vector256.Load(wj), Vector256.Create(xq[i]), acc);
        }
        var at = t * s.Out + o;
        if (skip != null) acc += Vector256.Load(skip + at);
        acc.Store(y + at);
    }

    private static void One(Shape s, float* x, float* w, float* bias, float* skip, float* y, long t, int o)
    {
        var acc = bias[o];
        var wj = WeightAt(s, w, 0, o);
        for (var q = 0; q < s.Taps; q++)
        {
            var xq = x + (t * s.Step + (long)q * s.Dilation) * s.In;
            for (var i = 0; i < s.In; i++, wj += Block) acc = MathF.FusedMultiplyAdd(*wj, xq[i], acc);
        }
        var at = t * s.Out + o;
        y[at] = skip != null ? acc + skip[at] : acc;
    }

    // Few outputs: per output channel, a dot product of its weights with each tap's contiguous input frame.
    private static void Dots(Shape s, float* x, float* w, float* bias, float* skip, float* y, long from, long to)
    {
        var rowLength = s.Taps * s.In;                                      // at most MaxDotRow (checked when built)
        var r = stackalloc float[rowLength];
        for (var o = 0; o < s.Out; o++)
        {
            for (var j = 0; j < rowLength; j++) r[j] = *WeightAt(s, w, j, o);
            for (var t = from; t < to; t++)
            {
                var acc = Vector256<float>.Zero;
                var tail = 0f;
                for (var q = 0; q < s.Taps; q++)
                {
                    var xq = x + (t * s.Step + (long)q * s.Dilation) * s.In;
                    var rq = r + q * s.In;
                    var i = 0;
                    if (Vector256.IsHardwareAccelerated)
                        for (; i + Lanes <= s.In; i += Lanes)
                            acc = Vector256.FusedMultiplyAdd(Vector256.Load(rq + i), Vector256.Load(xq + i), acc);
                    for (; i < s.In; i++) tail = MathF.FusedMultiplyAdd(rq[i], xq[i], tail);
                }
                var at = t * s.Out + o;
                var value = bias[o] + Vector256.Sum(acc) + tail;
                y[at] = skip != null ? value + skip[at] : value;
            }
        }
    }
}
