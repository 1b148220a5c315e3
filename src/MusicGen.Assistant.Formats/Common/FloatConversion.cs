using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Formats.Common;

/// <summary>
/// Widening of little-endian stored floating-point elements to float32. Inputs may be unaligned
/// (safetensors packs tensors back to back), which MemoryMarshal.Cast tolerates on x64 and ARM64.
/// </summary>
internal static class FloatConversion
{
    static FloatConversion()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Model file readers assume a little-endian host.");
        }
    }

    public static void Float32(ReadOnlySpan<byte> source, Span<float> destination) =>
        MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);

    /// <summary>IEEE binary16; System.Half handles subnormals, infinities and NaN exactly.</summary>
    public static void Float16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ReadOnlySpan<Half> halves = MemoryMarshal.Cast<byte, Half>(source);
        for (int i = 0; i < halves.Length; i++)
        {
            destination[i] = (float)halves[i];
        }
    }

    /// <summary>bfloat16 is the upper half of a float32, so widening is a shift (exact, NaN kept).</summary>
    public static void BFloat16(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ReadOnlySpan<ushort> bits = MemoryMarshal.Cast<byte, ushort>(source);
        for (int i = 0; i < bits.Length; i++)
        {
            destination[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
        }
    }

    /// <summary>Narrowing with round-to-nearest, as a float cast does.</summary>
    public static void Float64(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ReadOnlySpan<double> doubles = MemoryMarshal.Cast<byte, double>(source);
        for (int i = 0; i < doubles.Length; i++)
        {
            destination[i] = (float)doubles[i];
        }
    }
}
