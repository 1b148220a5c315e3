using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Wav;

public class WavSampleCodecTests
{
    private static float[] Decode(WavSampleFormat format, byte[] bytes)
    {
        int frames = bytes.Length / format.BytesPerSample();
        float[][] dst = [new float[frames]];
        WavSampleCodec.Decode(bytes, format, 1, dst, 0, frames);
        return dst[0];
    }

    private static byte[] Encode(WavSampleFormat format, params float[] samples)
    {
        var bytes = new byte[samples.Length * format.BytesPerSample()];
        WavSampleCodec.Encode([samples], 0, samples.Length, format, bytes);
        return bytes;
    }

    [Fact]
    public void Int16DecodesAsXOver32768()
    {
        float[] x = Decode(WavSampleFormat.Pcm16, WavBytes.Pcm16(0, 1, -1, 16384, 32767, -32768));
        Assert.Equal([0f, 1f / 32768, -1f / 32768, 0.5f, 32767f / 32768, -1f], x);
    }

    [Fact]
    public void FloatToInt16RoundsToNearestTiesToEvenAndClamps()
    {
        short[] expected = [32767, -32768, 32767, -32768, 0, 2, 2, -2, 0, 16384, 32767, -32768];
        byte[] bytes = Encode(WavSampleFormat.Pcm16,
            1f, -1f, 1.5f, -7f, 0.5f / 32768, 1.5f / 32768, 2.5f / 32768, -1.5f / 32768, -0.4f / 32768, 0.5f,
            float.PositiveInfinity, float.NegativeInfinity);
        Assert.Equal(WavBytes.Pcm16(expected), bytes);
    }

    [Fact]
    public void NaNIsRejectedForPcmButKeptInFloat()
    {
        var e = Assert.Throws<ArgumentException>(() => Encode(WavSampleFormat.Pcm24, 0f, float.NaN));
        Assert.Contains("frame 1", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.True(float.IsNaN(Decode(WavSampleFormat.Float32, Encode(WavSampleFormat.Float32, float.NaN))[0]));
    }

    [Fact]
    public void EightBitIsUnsignedAroundMidpoint128()
    {
        Assert.Equal([-1f, -1f / 128, 0f, 1f / 128, 127f / 128], Decode(WavSampleFormat.Pcm8, [0, 127, 128, 129, 255]));
        Assert.Equal(new byte[] { 0, 64, 128, 192, 255, 255 }, Encode(WavSampleFormat.Pcm8, -1f, -0.5f, 0f, 0.5f, 1f, 3f));
    }

    [Fact]
    public void TwentyFourBitIsLittleEndianSignExtended()
    {
        byte[] bytes = [0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00];
        Assert.Equal([8388607f / 8388608, -1f, -1f / 8388608, 1f / 8388608], Decode(WavSampleFormat.Pcm24, bytes));
        Assert.Equal(bytes, Encode(WavSampleFormat.Pcm24, 1f, -1f, -1f / 8388608, 1f / 8388608));
    }

    [Fact]
    public void ThirtyTwoBitUsesTwoToThe31()
    {
        byte[] bytes = [.. WavBytes.U32(0x40000000), .. WavBytes.U32(0x80000000), .. WavBytes.U32(0x7FFFFFFF)];
        float[] x = Decode(WavSampleFormat.Pcm32, bytes);
        Assert.Equal([0.5f, -1f, 1f], x); // 2^31 - 1 rounds to 1.0 in float32
        Assert.Equal(bytes, Encode(WavSampleFormat.Pcm32, 0.5f, -1f, 1f));
    }

    [Fact]
    public void InterleavingPutsChannelsSideBySide()
    {
        float[][] planar = [[0.5f, -0.5f], [0.25f, -0.25f], [0f, 1f / 32768]];
        var bytes = new byte[2 * 3 * 2];
        WavSampleCodec.Encode(planar, 0, 2, WavSampleFormat.Pcm16, bytes);
        Assert.Equal(WavBytes.Pcm16(16384, 8192, 0, -16384, -8192, 1), bytes);
        float[][] back = [new float[3], new float[3], new float[3]];
        WavSampleCodec.Decode(bytes, WavSampleFormat.Pcm16, 3, back, 1, 2);
        Assert.Equal([0f, 0.5f, -0.5f], back[0]);
        Assert.Equal([0f, 0f, 1f / 32768], back[2]);
    }
}
