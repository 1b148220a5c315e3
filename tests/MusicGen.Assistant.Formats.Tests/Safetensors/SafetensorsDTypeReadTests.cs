using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Safetensors;

/// <summary>Values written with known bit patterns come back as the numbers those bits mean.</summary>
public sealed class SafetensorsDTypeReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SafetensorsFile WriteAndOpen(params (string Name, SafetensorsDType DType, long[] Shape, ReadOnlyMemory<byte> Data)[] tensors)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return SafetensorsFile.Open(path);
    }

    private static byte[] Bits<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    [Fact]
    public void F16_bit_patterns_widen_to_exact_floats_including_subnormals_and_infinities()
    {
        ushort[] bits = [0x0000, 0x8000, 0x3C00, 0xC000, 0x7BFF, 0x0400, 0x0001, 0x0200, 0x03FF, 0x7C00, 0xFC00, 0x3555];
        float[] expected =
        [
            0f, -0f, 1f, -2f, 65504f,
            MathF.Pow(2, -14),              // smallest normal
            MathF.Pow(2, -24),              // smallest subnormal
            MathF.Pow(2, -15),              // subnormal with one bit set
            1023 * MathF.Pow(2, -24),       // largest subnormal
            float.PositiveInfinity, float.NegativeInfinity,
            1365f / 4096f,                  // 0x3555 = 1.0101010101b x 2^-2
        ];
        using var file = WriteAndOpen(("h", SafetensorsDType.F16, [3, 4], Bits(bits)));

        float[] values = file.ReadFloat32("h");

        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void F16_NaN_stays_NaN()
    {
        using var file = WriteAndOpen(("nan", SafetensorsDType.F16, [1], Bits<ushort>(0x7E00)));

        Assert.True(float.IsNaN(file.ReadFloat32("nan")[0]));
    }

    [Fact]
    public void BF16_is_the_upper_half_of_float32()
    {
        ushort[] bits = [0x3F80, 0xC040, 0x4049, 0x7F80, 0xFF80, 0x0001, 0x8000];
        float[] expected = [1f, -3f, 3.140625f, float.PositiveInfinity, float.NegativeInfinity, MathF.Pow(2, -133), -0f];
        using var file = WriteAndOpen(("b", SafetensorsDType.BF16, [7], Bits(bits)));

        float[] values = file.ReadFloat32("b");

        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void I64_round_trips_extremes_and_refuses_float_reading()
    {
        long[] values = [long.MinValue, -1, 0, 1, long.MaxValue, 1L << 40];
        using var file = WriteAndOpen(("ids", SafetensorsDType.I64, [2, 3], Bits(values)));

        Assert.Equal(values, file.ReadInt64("ids"));
        var e = Assert.Throws<InvalidOperationException>(() => file.ReadFloat32("ids"));
        Assert.Contains("'ids'", e.Message);
        Assert.Contains("I64", e.Message);
    }

    [Fact]
    public void Narrow_integers_and_bool_widen_to_int64()
    {
        using var file = WriteAndOpen(
            ("i32", SafetensorsDType.I32, [3], Bits(int.MinValue, -7, int.MaxValue)),
            ("i8", SafetensorsDType.I8, [2], Bits<sbyte>(-128, 127)),
            ("u8", SafetensorsDType.U8, [2], Bits<byte>(0, 255)),
            ("mask", SafetensorsDType.BOOL, [3], Bits<byte>(1, 0, 1)));

        Assert.Equal([int.MinValue, -7L, int.MaxValue], file.ReadInt64("i32"));
        Assert.Equal([-128L, 127L], file.ReadInt64("i8"));
        Assert.Equal([0L, 255L], file.ReadInt64("u8"));
        Assert.Equal([1L, 0L, 1L], file.ReadInt64("mask"));
    }

    [Fact]
    public void F64_rounds_to_nearest_float_and_F32_is_copied()
    {
        using var file = WriteAndOpen(
            ("d", SafetensorsDType.F64, [3], Bits(Math.PI, -1e-3, 1e300)),
            ("f", SafetensorsDType.F32, [2], Bits(1.5f, -0.25f)));

        Assert.Equal([(float)Math.PI, (float)-1e-3, float.PositiveInfinity], file.ReadFloat32("d"));
        Assert.Equal([1.5f, -0.25f], file.ReadFloat32("f"));
    }

    [Fact]
    public void Tensors_of_odd_sizes_are_packed_back_to_back_and_read_unaligned()
    {
        // Sorted order puts the 3-byte U8 tensor first, so the F32 tensor after it starts at an odd offset.
        using var file = WriteAndOpen(
            ("a_bytes", SafetensorsDType.U8, [3], Bits<byte>(9, 8, 7)),
            ("b_floats", SafetensorsDType.F32, [2], Bits(2.5f, -8f)),
            ("c_scalar", SafetensorsDType.F32, [], Bits(42f)),
            ("d_empty", SafetensorsDType.F32, [0, 5], Array.Empty<byte>()));

        Assert.Equal(["a_bytes", "b_floats", "c_scalar", "d_empty"], file.Tensors.Select(t => t.Name));
        Assert.Equal(file.DataOffset + 3, file.Get("b_floats").ByteOffset);
        Assert.Equal([2.5f, -8f], file.ReadFloat32("b_floats"));
        Assert.Equal([42f], file.ReadFloat32("c_scalar"));
        Assert.Empty(file.Get("c_scalar").Shape);
        Assert.Empty(file.ReadFloat32("d_empty"));
        Assert.Equal(0, file.DataOffset % 8);
    }
}
