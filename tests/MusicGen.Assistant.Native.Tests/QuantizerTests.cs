using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Native.Tests;

public class QuantizerTests
{
    [Fact]
    public void F16_round_trip_is_exact_for_representable_values()
    {
        float[] v = [0f, 1f, -2.5f, 0.099975586f, 65504f, 6.1035156e-05f, -0.33325195f, 1024f];
        var back = Quantizer.Dequantize(Quantizer.Quantize(v, 8, GgmlType.F16), 8, GgmlType.F16);
        Assert.Equal(v, back);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0, 34, 127.0, 0.5)]
    [InlineData(GgmlType.Q4_0, 18, 8.0, 1.0)]
    public void Block_quantization_error_is_bounded_by_the_step(GgmlType type, int blockBytes, double levels, double steps)
    {
        // q8_0: d = amax/127, |err| <= d/2; q4_0: d = max/-8 and the opposite extreme clamps to 7, so |err| <= d.
        // Both store d as f16, which adds up to ~5e-4 * amax.
        var v = CpuGraph.Random(64 * 3, 11).Select(x => x * 3).ToArray();
        var bytes = Quantizer.Quantize(v, 64, type);
        Assert.Equal(3 * 2 * blockBytes, bytes.Length);
        var back = Quantizer.Dequantize(bytes, v.Length, type);
        for (var b = 0; b < v.Length / 32; b++)
        {
            var block = v.Skip(b * 32).Take(32).ToArray();
            var step = block.Max(Math.Abs) / levels;
            for (var i = 0; i < 32; i++)
                Assert.True(Math.Abs(block[i] - back[b * 32 + i]) <= step * steps + block.Max(Math.Abs) * 1e-3 + 1e-6, $"{type} block {b} element {i}");
        }
    }

    [Fact]
    public void Rows_that_are_not_whole_blocks_are_refused()
    {
        var e = Assert.Throws<GgmlException>(() => Quantizer.Quantize(new float[40], 20, GgmlType.Q8_0));
        Assert.Contains("block size 32", e.Message);
    }
}
