using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace MusicGen.Assistant.Native.Kernels;

/// <summary>
/// The memory layouts of <see cref="Int8ProductKernel"/>. A Q8_0 weight {k, n} (n rows of k, in blocks of 32 values
/// with one f16 scale) is kept as groups of 8 rows; per group and block of 32 inputs, 320 bytes:
/// <list type="bullet">
/// <item>256 bytes of the 8 rows' int8 values, interleaved 4 at a time: bytes 32·j .. 32·j + 31 hold inputs
/// 4j .. 4j+3 of rows 0..7 in turn, so one 32-byte load is one operand of a dot-product instruction whose 8 lanes
/// are the 8 rows;</item>
/// <item>the 8 rows' block scales as f32;</item>
/// <item>the 8 rows' -128·Σ values, as int32: the activations are stored unsigned (value + 128, the instruction
/// multiplies unsigned by signed bytes) and this term takes the offset back out.</item>
/// </list>
/// Activations {k, columns} are quantized per column and block of 32 as in Q8_0 (scale = max |x| / 127, values
/// rounded to nearest even), stored per column as k unsigned bytes (value + 128) followed by k/32 f32 scales.
/// The values and scales of the weight are Q8_0's exactly; only their order changes.
/// </summary>
public static unsafe class Int8Layout
{
    public const int Block = 32;
    public const int Rows = 8;
    public const int GroupBlockBytes = 320;
    public const int ScalesOffset = 256;
    public const int OffsetsOffset = 288;
    private const int Q8BlockBytes = 34;

    /// <summary>Bytes of a packed {k, n} weight.</summary>
    public static long WeightBytes(long k, long n) => k / Block * GroupBlockBytes * (n / Rows);

    /// <summary>Bytes of one packed group of 8 rows.</summary>
    public static long GroupBytes(long k) => k / Block * GroupBlockBytes;

    /// <summary>Bytes of one quantized activation column of k values.</summary>
    public static long ColumnBytes(long k) => k + k / Block * sizeof(float);

    /// <summary>Whether a {k, n} weight has this layout: whole blocks and whole groups of rows.</summary>
    public static bool Fits(long k, long n) => k > 0 && n > 0 && k % Block == 0 && n % Rows == 0;

    /// <summary>Writes the Q8_0 rows <paramref name="q8"/> of a {k, n} weight to <paramref name="destination"/> in this layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackWeight(ReadOnlySpan<byte> q8, long k, long n, byte* destination)
    {
        if (!Fits(k, n)) throw new GgmlException($"a {{{k}, {n}}} weight is not whole blocks of {Block} and groups of {Rows} rows");
        var blocks = k / Block;
        if (q8.Length != blocks * Q8BlockBytes * n) throw new GgmlException($"a Q8_0 {{{k}, {n}}} weight takes {blocks * Q8BlockBytes * n} bytes, got {q8.Length}");
        fixed (byte* q = q8)
            for (long g = 0; g < n / Rows; g++)
                for (long b = 0; b < blocks; b++)
                {
                    var target = destination + g * GroupBytes(k) + b * GroupBlockBytes;
                    for (var r = 0; r < Rows; r++)
                    {
                        var source = q + ((g * Rows + r) * blocks + b) * Q8BlockBytes;
                        ((float*)(target + ScalesOffset))[r] = (float)BitConverter.Int16BitsToHalf(BinaryPrimitives.ReadInt16LittleEndian(new ReadOnlySpan<byte>(source, 2)));
                        var sum = 0;
                        for (var i = 0; i < Block; i++) sum += (sbyte)source[2 + i];
                        ((int*)(target + OffsetsOffset))[r] = -128 * sum;
                        for (var j = 0; j < Block / 4; j++) *(int*)(target + j * 32 + r * 4) = *(int*)(source + 2 + j * 4);
                    }
                }
    }
}
