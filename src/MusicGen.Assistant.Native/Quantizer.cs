using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>Converts float rows to ggml storage types (F16, BF16, Q8_0, Q4_0) and back, with ggml's own kernels.</summary>
public static unsafe class Quantizer
{
    /// <summary>Encodes rows of <paramref name="rowLength"/> floats as <paramref name="type"/>; returns the bytes.</summary>
    public static byte[] Quantize(ReadOnlySpan<float> data, long rowLength, GgmlType type)
    {
        if (rowLength <= 0 || data.Length % rowLength != 0)
            throw new GgmlException($"{data.Length} values are not whole rows of {rowLength}");
        var rows = data.Length / rowLength;
        var rowBytes = GgmlTypeSizes.RowBytes(type, rowLength); // throws for a row that is not whole blocks
        var result = new byte[rows * rowBytes];
        if (type == GgmlType.F32) { MemoryMarshal.AsBytes(data).CopyTo(result); return result; }
        if (type is not (GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0 or GgmlType.Q4_0))
            throw new GgmlException($"cannot quantize to {type}");
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
