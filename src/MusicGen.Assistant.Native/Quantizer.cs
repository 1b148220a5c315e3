using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Converts float rows to ggml storage types (F16, BF16, the classic quants Q4_0..Q8_0 and the k-quants Q2_K..Q6_K)
/// and back, with ggml's own kernels.
/// </summary>
public static unsafe class Quantizer
{
    /// <summary>Types ggml_quantize_chunk writes without an importance matrix (the i-quants need one; Q8_1 / Q8_K are
    /// only the activation side of dot products and have no quantizer there: ggml would abort).</summary>
    public static IReadOnlySet<GgmlType> Writable { get; } = new HashSet<GgmlType>
    {
        GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    /// <summary>Encodes rows of <paramref name="rowLength"/> floats as <paramref name="type"/>; returns the bytes.</summary>
    public static byte[] Quantize(ReadOnlySpan<float> data, long rowLength, GgmlType type)
    {
        if (rowLength <= 0 || data.Length % rowLength != 0)
            throw new GgmlException($"{data.Length} values are not whole rows of {rowLength}");
        var rows = data.Length / rowLength;
        var rowBytes = GgmlTypeSizes.RowBytes(type, rowLength); // throws for a row that is not whole blocks
        var result = new byte[rows * rowBytes];
        if (type == GgmlType.F32) { MemoryMarshal.AsBytes(data).CopyTo(result); return result; }
        if (!Writable.Contains(type))
            throw new GgmlException($"cannot quantize to {type} (writable: {string.Join(", ", Writable)})");
        GgmlRuntime.EnsureInitialized();
        fixed (float* src = data)
        fixed (byte* dst = result)
        {
            var written = (long)GgmlCore.ggml_quantize_chunk((int)type, src, dst, 0, rows, rowLength, null);
            if (written != result.Length) throw new GgmlException($"ggml_quantize_chunk wrote {written} bytes, expected {result.Length}");
        }
        return result;
    }

    /// <summary>Decodes <paramref name="count"/> values of <paramref name="type"/> to floats.</summary>
    public static float[] Dequantize(ReadOnlySpan<byte> data, long count, GgmlType type)
    {
        var expected = GgmlTypeSizes.RowBytes(type, count);
        if (data.Length != expected) throw new GgmlException($"{count} values of {type} take {expected} bytes, got {data.Length}");
        var result = new float[count];
        if (type == GgmlType.F32) { MemoryMarshal.Cast<byte, float>(data).CopyTo(result); return result; }
        GgmlRuntime.EnsureInitialized();
        var traits = GgmlCore.ggml_get_type_traits((int)type);
        if (traits == null || traits->ToFloat == 0) throw new GgmlException($"ggml cannot convert {type} to float");
        var toFloat = (delegate* unmanaged<void*, float*, long, void>)traits->ToFloat;
        fixed (byte* src = data)
        fixed (float* dst = result)
            toFloat(src, dst, count);
        return result;
    }
}
