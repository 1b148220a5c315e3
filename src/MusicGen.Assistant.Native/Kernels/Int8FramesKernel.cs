using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// The activations of a convolution over channels-first frames for <see cref="Int8ProductKernel"/>: column t is
/// im2col's column (input i at tap q as element i·taps + q, taps fastest: the GGUF kernel's order) quantized as
/// <see cref="Int8ProductKernel.Quantize"/> does, gathered straight from the frames, so a conv stack stays
/// channels-first: no transpose to time-first and no F32 im2col matrix between its layers.
/// </summary>
public static unsafe class Int8FramesKernel
{
    /// <summary>src[0] F32 {in, L, B} contiguous -> dst I8 {ColumnBytes(taps·in), T·B}; params: taps, stride, T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Quantize(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var x = (GgmlTensorStruct*)dst->Src[0];
        int taps = dst->OpParams[FrameKernels.FirstParam], stride = dst->OpParams[FrameKernels.FirstParam + 1];
        long channels = x->Ne[0], frames = dst->OpParams[FrameKernels.FirstParam + 2], inner = channels * taps;
        var columns = dst->Ne[1];
        var (from, to) = Int8ProductKernel.Share(columns, ith, nth);
        if (from >= to) return;
        var column = (float*)NativeMemory.AlignedAlloc((nuint)(inner * sizeof(float)), 64);
        try
        {
            for (var c = from; c < to; c++)
            {
                long t = c % frames, b = c / frames;
                var first = (float*)((byte*)x->Data + b * (long)x->Nb[2] + t * stride * (long)x->Nb[1]);
                for (var q = 0; q < taps; q++)
                {
                    var frame = first + q * channels;
                    for (long i = 0; i < channels; i++) column[i * taps + q] = frame[i];
                }
                Int8ProductKernel.QuantizeColumn(column, inner, (byte*)dst->Data + c * (long)dst->Nb[1]);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(column);
        }
    }
}
