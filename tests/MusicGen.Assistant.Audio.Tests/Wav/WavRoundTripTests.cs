using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Wav;

public class WavRoundTripTests
{
    public static TheoryData<WavSampleFormat, int> FormatsAndChannels()
    {
        var data = new TheoryData<WavSampleFormat, int>();
        foreach (WavSampleFormat format in Enum.GetValues<WavSampleFormat>())
            foreach (int channels in new[] { 1, 2, 3 })
                data.Add(format, channels);
        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void RoundTripKeepsSamplesWithinOneLsb(WavSampleFormat format, int channels)
    {
        using var dir = new TempDirectory();
        AudioBuffer original = Signals.NoiseBuffer(22050, channels, 1001, seed: 7);
        // Full-scale edges: -1 is representable in every format; +1 clamps to the largest PCM code.
        original.Channels[0][0] = -1f;
        original.Channels[0][1] = 1f;
        original.Channels[0][2] = 0f;
        string path = dir.File("x.wav");

        WavWriter.Write(path, original, format);
        AudioBuffer read = WavReader.Read(path);

        Assert.Equal(22050, read.SampleRate);
        Assert.Equal(channels, read.ChannelCount);
        Assert.Equal(1001, read.FrameCount);
        double lsb = format.IsFloat() ? 0 : 1.0 / (1L << (format.BitsPerSample() - 1));
        for (int c = 0; c < channels; c++)
            for (int f = 0; f < 1001; f++)
                Assert.True(Math.Abs(read.Channels[c][f] - original.Channels[c][f]) <= lsb,
                    $"{format} ch{c} frame {f}: wrote {original.Channels[c][f]}, read {read.Channels[c][f]}");
        Assert.Equal(-1f, read.Channels[0][0]);
        Assert.Equal(0f, read.Channels[0][2]);
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void HeaderDescribesWhatWasWritten(WavSampleFormat format, int channels)
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.wav");
        WavWriter.Write(path, Signals.NoiseBuffer(48000, channels, 333, seed: 1), format);

        WavFormat info = WavReader.ReadFormat(path);
        int expectedTag = channels > 2 ? 0xFFFE : format.IsFloat() ? 3 : 1;
        Assert.Equal(expectedTag, info.FormatTag);
        Assert.Equal(format, info.SampleFormat);
        Assert.Equal(48000, info.SampleRate);
        Assert.Equal(channels, info.ChannelCount);
        Assert.Equal(333, info.FrameCount);
        Assert.Equal(format.BitsPerSample(), info.ValidBitsPerSample);
        Assert.Equal(channels == 3 ? 0x7u : 0u, info.ChannelMask);
        long dataBytes = 333L * channels * format.BytesPerSample();
        int headerBytes = 12 + 8 + (channels > 2 ? 40 : format.IsFloat() ? 18 : 16) + (format.IsFloat() ? 12 : 0) + 8;
        Assert.Equal(headerBytes + dataBytes + dataBytes % 2, new FileInfo(path).Length); // odd data gets a pad byte
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8)]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Pcm24)]
    [InlineData(WavSampleFormat.Pcm32)]
    public void PcmReadThenWriteReproducesTheFileExactly(WavSampleFormat format)
    {
        using var dir = new TempDirectory();
        string first = dir.File("a.wav"), second = dir.File("b.wav");
        WavWriter.Write(first, Signals.NoiseBuffer(8000, 2, 257, seed: 3), format);
        WavWriter.Write(second, WavReader.Read(first), format);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void OddSizedDataGetsAPadByteAndTheRiffSizeCountsIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("odd.wav");
        WavWriter.Write(path, new AudioBuffer(8000, [[0f, 0.5f, -0.5f]]), WavSampleFormat.Pcm8);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(44 + 3 + 1, bytes.Length);
        Assert.Equal((uint)(bytes.Length - 8), BitConverter.ToUInt32(bytes, 4));
        Assert.Equal(3u, BitConverter.ToUInt32(bytes, 40)); // the data size excludes the pad
        Assert.Equal(new byte[] { 128, 192, 64, 0 }, bytes[44..]);
        Assert.Equal([0f, 0.5f, -0.5f], WavReader.Read(path).Channels[0]);
    }

    [Fact]
    public void Pcm16StereoHeaderIsTheClassic44Bytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.wav");
        WavWriter.Write(path, new AudioBuffer(44100, [[0.25f], [-0.25f]]), WavSampleFormat.Pcm16);
        byte[] expected =
        [
            .. "RIFF"u8, .. WavBytes.U32(40), .. "WAVE"u8,
            .. "fmt "u8, .. WavBytes.U32(16), .. WavBytes.Fmt(1, 2, 44100, 16),
            .. "data"u8, .. WavBytes.U32(4), .. WavBytes.Pcm16(8192, -8192),
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Float32MonoHeaderHasCbSizeAndFactChunk()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f.wav");
        WavWriter.Write(path, new AudioBuffer(32000, [[0.5f, -2f]]), WavSampleFormat.Float32);
        byte[] expected =
        [
            .. "RIFF"u8, .. WavBytes.U32(58), .. "WAVE"u8,
            .. "fmt "u8, .. WavBytes.U32(18), .. WavBytes.Fmt(3, 1, 32000, 32), .. WavBytes.U16(0),
            .. "fact"u8, .. WavBytes.U32(4), .. WavBytes.U32(2),
            .. "data"u8, .. WavBytes.U32(8), .. WavBytes.Float32(0.5f, -2f),
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void EmptyBufferWritesAValidEmptyFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("e.wav");
        WavWriter.Write(path, new AudioBuffer(16000, 2, 0), WavSampleFormat.Pcm16);
        AudioBuffer read = WavReader.Read(path);
        Assert.Equal(0, read.FrameCount);
        Assert.Equal(2, read.ChannelCount);
        Assert.Equal(16000, read.SampleRate);
    }
}
