using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// ggml custom-op kernels over channels-first frame sequences {channels, time} (CPU backend only). ggml calls each on
/// every worker thread with (ith, nth); each thread takes its own band of output frames.
/// </summary>
internal static unsafe class FrameKernels
{
    /// <summary>Our parameters live in op_params words 8..15; ggml's custom-op record (fun, n_tasks, userdata) uses words 0..5.</summary>
    public const int FirstParam = 8;

    /// <summary>dst {C, l + T + r + tail} = [ELU](padded src {C, T}); one frame is C contiguous floats.
    /// Params: left, right, reflect, tail, elu.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    public static void PadActivate(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var src = (GgmlTensorStruct*)dst->Src[0];
        var p = dst->OpParams + FirstParam;
        var padding = new FramePadding(p[0], p[1], p[2] != 0, p[3]);
        var elu = p[4] != 0;
        var channels = (int)src->Ne[0];
        var length = src->Ne[1];
        var frames = dst->Ne[1];
        var (from, to) = Band(frames, ith, nth);
        var input = (float*)src->Data;
        var output = (float*)dst->Data;
        for (var j = from; j < to; j++)
        {
            var target = new Span<float>(output + j * channels, channels);
            var source = padding.SourceFrame(j, length);
            if (source < 0) { target.Clear(); continue; }
            var column = new ReadOnlySpan<float>(input + source * channels, channels);
            if (elu) Elu.Apply(column, target);
            else column.CopyTo(target);
        }
    }

    /// <summary>
    /// dst {out, frames} = Σ_m z[m-th block of `out` rows, frame t + m·shift] + bias: the tap sum that finishes a
    /// conv computed as z = W_stacked · frames {taps·out, T}. Params: taps, shift.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    public static void TapSum(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var z = (GgmlTensorStruct*)dst->Src[0];
        var bias = (float*)((GgmlTensorStruct*)dst->Src[1])->Data;
        var p = dst->OpParams + FirstParam;
        int taps = p[0], shift = p[1];
        var outChannels = (int)dst->Ne[0];
        var zRow = (long)z->Nb[1] / sizeof(float);
        var zData = (float*)z->Data;
        var output = (float*)dst->Data;
        var (from, to) = Band(dst->Ne[1], ith, nth);
        for (var t = from; t < to; t++)
        {
            var target = new Span<float>(output + t * outChannels, outChannels);
            new ReadOnlySpan<float>(zData + t * zRow, outChannels).CopyTo(target);
            for (var m = 1; m < taps; m++)
                Add(target, new ReadOnlySpan<float>(zData + (t + (long)m * shift) * zRow + (long)m * outChannels, outChannels));
            Add(target, new ReadOnlySpan<float>(bias, outChannels));
        }
    }

    private static void Add(Span<float> acc, ReadOnlySpan<float> x)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var a = ref MemoryMarshal.GetReference(acc);
            ref var b = ref MemoryMarshal.GetReference(x);
            for (; i <= acc.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref a, (nuint)i) + Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < acc.Length; i++) acc[i] += x[i];
    }

    private static (long From, long To) Band(long count, int ith, int nth)
    {
        var per = (count + nth - 1) / nth;
        var from = Math.Min(count, per * ith);
        return (from, Math.Min(count, from + per));
    }
}
