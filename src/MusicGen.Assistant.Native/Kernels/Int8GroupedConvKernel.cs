using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// A grouped convolution (stride 1, zero padding) with a packed Q8_0 kernel {taps·width, channels}
/// (<see cref="Int8Layout"/>; width = channels / groups, GGUF order: taps fastest) over time-first frames
/// {L, channels, B}, e.g. HuBERT's positional conv (128 taps, 16 groups). Each work item (a group, an item of the
/// batch, 64 output frames) gathers its im2col columns from the group's channels (contiguous runs of taps, zeros in
/// the padding), quantizes them as <see cref="Int8ProductKernel.Quantize"/> does and multiplies them with the group's
/// rows of the kernel, writing straight into the merged output: no per-group im2col matrix, no concatenation.
/// </summary>
public static unsafe class Int8GroupedConvKernel
{
    private const int ColumnChunk = 64;

    /// <summary>src[0] F32 {L, channels, B} (contiguous along time), src[1] the packed kernel, src[2] the counter ->
    /// dst F32 {channels, T, B}; params: taps, groups, padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [UnmanagedCallersOnly]
    internal static void Run(GgmlTensorStruct* dst, int ith, int nth, nint userdata)
    {
        var x = (GgmlTensorStruct*)dst->Src[0];
        var w = (GgmlTensorStruct*)dst->Src[1];
        var counter = Int8ProductKernel.Counter(dst, 2);
        int taps = dst->OpParams[FrameKernels.FirstParam], groups = dst->OpParams[FrameKernels.FirstParam + 1],
            padding = dst->OpParams[FrameKernels.FirstParam + 2];
        long length = x->Ne[0], channels = dst->Ne[0], frames = dst->Ne[1], batch = dst->Ne[2];
        long width = channels / groups, inner = width * taps, columnBytes = Int8Layout.ColumnBytes(inner);
        var chunks = (frames + ColumnChunk - 1) / ColumnChunk;
        var items = groups * batch * chunks;
        var column = (float*)NativeMemory.AlignedAlloc((nuint)(inner * sizeof(float)), 64);
        var quantized = (byte*)NativeMemory.AlignedAlloc((nuint)(ColumnChunk * columnBytes), 64);
        try
        {
            for (var item = Int8ProductKernel.Claim(counter); item < items; item = Int8ProductKernel.Claim(counter))
            {
                long g = item / (batch * chunks), b = item / chunks % batch, t0 = item % chunks * ColumnChunk;
                var count = Math.Min(ColumnChunk, frames - t0);
                for (long j = 0; j < count; j++)
                {
                    var first = t0 + j - padding; // input frame under tap 0
                    for (long i = 0; i < width; i++)
                    {
                        var source = (float*)((byte*)x->Data + b * (long)x->Nb[2] + (g * width + i) * (long)x->Nb[1]);
                        var target = column + i * taps;
                        long from = Math.Max(0, -first), to = Math.Min(taps, length - first);
                        if (from >= to)
                        {
                            new Span<float>(target, taps).Clear();
                            continue;
                        }
                        if (from > 0) new Span<float>(target, (int)from).Clear();
                        new ReadOnlySpan<float>(source + first + from, (int)(to - from)).CopyTo(new Span<float>(target + from, (int)(to - from)));
                        if (to < taps) new Span<float>(target + to, (int)(taps - to)).Clear();
                    }
                    Int8ProductKernel.QuantizeColumn(column, inner, quantized + j * columnBytes);
                }
                Int8ProductKernel.Multiply((byte*)w->Data + g * width / Int8Layout.Rows * Int8Layout.GroupBytes(inner), quantized, columnBytes, count, inner,
                    (float*)dst->Data + (b * frames + t0) * channels + g * width, channels, (0, width / Int8Layout.Rows));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(column);
            NativeMemory.AlignedFree(quantized);
        }
    }
}
