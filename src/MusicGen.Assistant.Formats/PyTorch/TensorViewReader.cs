using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// Copies one tensor view out of its storage in the mapped file, converting elements on the way. Only the bytes of
/// the view are touched: a contiguous tensor is one range, a strided one is gathered row by row.
/// </summary>
internal static class TensorViewReader
{
    /// <summary>Converts <c>source</c> (raw little-endian elements) into exactly as many elements of <c>destination</c>.</summary>
    public delegate void Converter<T>(ReadOnlySpan<byte> source, Span<T> destination);

    // Spans address at most 2 GiB, so long contiguous runs are converted in pieces of this many bytes.
    private const int ChunkBytes = 1 << 30;

    public static Converter<float> FloatConverter(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => FloatConversion.Float32,
        SafetensorsDType.F16 => FloatConversion.Float16,
        SafetensorsDType.BF16 => FloatConversion.BFloat16,
        SafetensorsDType.F64 => FloatConversion.Float64,
        _ => throw new InvalidOperationException($"dtype {dtype} cannot be read as float32 (readable: F32, F16, BF16, F64)."),
    };

    public static Converter<long> Int64Converter(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.I64 => static (s, d) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(s).CopyTo(d),
        SafetensorsDType.I32 => static (s, d) => Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(s), d),
        SafetensorsDType.I16 => static (s, d) => Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(s), d),
        SafetensorsDType.I8 => static (s, d) => Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(s), d),
        SafetensorsDType.U8 or SafetensorsDType.BOOL => static (s, d) => Widen(s, d),
        _ => throw new InvalidOperationException($"dtype {dtype} cannot be read as int64 (readable: I64, I32, I16, I8, U8, BOOL)."),
    };

    /// <summary>
    /// Reads <paramref name="tensor"/>, whose storage data starts at <paramref name="storageDataOffset"/> in
    /// <paramref name="file"/>, into <paramref name="destination"/> (row-major, <c>ElementCount</c> elements).
    /// </summary>
    public static void Read<T>(MappedFile file, long storageDataOffset, PyTorchTensorInfo tensor, Span<T> destination, Converter<T> convert)
    {
        int size = tensor.DType.ElementSize();
        if (tensor.ElementCount == 0)
        {
            return;
        }
        if (tensor.IsContiguous)
        {
            ConvertRange(file, storageDataOffset + tensor.StorageOffset * size, size, destination, convert, tensor.Name);
            return;
        }

        int rank = tensor.Shape.Length;
        long rowLength = tensor.Shape[rank - 1], rowStride = tensor.Stride[rank - 1];
        long rows = tensor.ElementCount / rowLength;
        var index = new long[rank - 1];
        byte[]? gathered = rowStride == 1 ? null : new byte[checked((int)(rowLength * size))];
        for (long row = 0; row < rows; row++)
        {
            long start = tensor.StorageOffset;
            for (int d = 0; d < rank - 1; d++)
            {
                start += index[d] * tensor.Stride[d];
            }
            Span<T> target = destination.Slice((int)(row * rowLength), (int)rowLength);
            if (gathered is null)
            {
                ConvertRange(file, storageDataOffset + start * size, size, target, convert, tensor.Name);
            }
            else
            {
                for (long i = 0; i < rowLength; i++)
                {
                    file.Slice(storageDataOffset + (start + i * rowStride) * size, size, $"Tensor '{tensor.Name}'")
                        .CopyTo(gathered.AsSpan((int)(i * size), size));
                }
                convert(gathered, target);
            }
            // Odometer over the outer dimensions, last fastest.
            for (int d = rank - 2; d >= 0 && ++index[d] == tensor.Shape[d]; d--)
            {
                index[d] = 0;
            }
        }
    }

    private static void ConvertRange<T>(MappedFile file, long offset, int size, Span<T> destination, Converter<T> convert, string name)
    {
        int perChunk = ChunkBytes / size;
        for (int done = 0; done < destination.Length; done += perChunk)
        {
            int count = Math.Min(perChunk, destination.Length - done);
            convert(file.Slice(offset + (long)done * size, (long)count * size, $"Tensor '{name}'"), destination.Slice(done, count));
        }
    }

    private static void Widen<TSource>(ReadOnlySpan<TSource> source, Span<long> destination)
        where TSource : System.Numerics.IBinaryInteger<TSource>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = long.CreateTruncating(source[i]);
        }
    }
}
