using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>A float function applied element by element: 8 lanes at a time, and one value evaluated as the lanes are.</summary>
internal interface IElementwise
{
    static abstract Vector256<float> Of(Vector256<float> x);
    static abstract float Of(float x);
}

/// <summary>
/// Runs an <see cref="IElementwise"/> function over spans (vector body, scalar tail) and as a ggml custom op, each
/// thread taking its band of whole vectors. Generic over the function's type, so each use is compiled with it inlined.
/// </summary>
internal static unsafe class Elementwise
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<T>(ReadOnlySpan<float> x, Span<float> y) where T : IElementwise
    {
        if (y.Length < x.Length) throw new ArgumentException("destination is shorter than the source");
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var yr = ref MemoryMarshal.GetReference(y);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                T.Of(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < x.Length; i++) y[i] = T.Of(x[i]);
    }

    /// <summary>dst = f(src[0]), both contiguous F32 of the same shape; this thread's band of whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunBand<T>(GgmlTensorStruct* dst, int ith, int nth) where T : IElementwise
    {
        var src = (GgmlTensorStruct*)dst->Src[0];
        var count = dst->Ne[0] * dst->Ne[1] * dst->Ne[2] * dst->Ne[3];
        const int lanes = 8;
        var per = ((count + nth - 1) / nth + lanes - 1) / lanes * lanes;
        var from = Math.Min(count, per * ith);
        var to = Math.Min(count, from + per);
        if (to <= from) return;
        Apply<T>(new ReadOnlySpan<float>((float*)src->Data + from, (int)(to - from)), new Span<float>((float*)dst->Data + from, (int)(to - from)));
    }
}
