using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Wav;

public class WavReaderTests
{
    private static readonly byte[] FourStereoFrames = WavBytes.Pcm16(1, -1, 16384, -16384, 32767, -32768, 0, 100);

    private static void AssertFourStereoFrames(AudioBuffer buffer)
    {
        Assert.Equal(2, buffer.ChannelCount);
        Assert.Equal([1f / 32768, 0.5f, 32767f / 32768, 0f], buffer.Channels[0]);
        Assert.Equal([-1f / 32768, -0.5f, -1f, 100f / 32768], buffer.Channels[1]);
    }

    [Fact]
    public void ReadsExtensiblePcm24With20ValidBits()
    {
        using var dir = new TempDirectory();
        byte[] samples = [0x00, 0x00, 0x40, 0xF0, 0xFF, 0xBF]; // 0x400000 = 0.5, 0xBFFFF0 left-justified 20-bit
        string path = dir.Write("ext.wav", new WavBytes()
            .Chunk("fmt ", WavBytes.FmtExtensible(1, 1, 96000, 24, 20, 0x4))
            .Chunk("data", samples)
            .Build());

        WavFormat format = WavReader.ReadFormat(path);
        Assert.Equal(0xFFFE, format.FormatTag);
        Assert.Equal(WavSampleFormat.Pcm24, format.SampleFormat);
        Assert.Equal(20, format.ValidBitsPerSample);
        Assert.Equal(0x4u, format.ChannelMask);
        Assert.Equal(96000, format.SampleRate);
        Assert.Equal([0.5f, -0x400010 / 8388608f], WavReader.Read(path).Channels[0]);
    }

    [Fact]
    public void ReadsExtensibleFloat()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("extf.wav", new WavBytes()
            .Chunk("fmt ", WavBytes.FmtExtensible(3, 2, 44100, 32, 32, 0x3))
            .Chunk("fact", WavBytes.U32(1))
            .Chunk("data", WavBytes.Float32(0.125f, -3.5f))
            .Build());
        AudioBuffer buffer = WavReader.Read(path);
        Assert.Equal([0.125f], buffer.Channels[0]);
        Assert.Equal([-3.5f], buffer.Channels[1]); // floats are not clipped on read
    }

    [Fact]
    public void SkipsUnknownChunksIncludingOddSizedOnesWithPadByte()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("chunks.wav", new WavBytes()
            .Chunk("JUNK", new byte[28])
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Chunk("LIST", "INFOISFT\u0005\0\0\0abcd\0"u8.ToArray()) // 17 bytes: odd, padded
            .Chunk("bext", new byte[3])
            .Chunk("data", FourStereoFrames)
            .Chunk("id3 ", new byte[9])
            .Build());
        AssertFourStereoFrames(WavReader.Read(path));
        Assert.Equal(4, WavReader.ReadFormat(path).FrameCount);
    }

    [Fact]
    public void FindsFmtAfterData()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("late.wav", new WavBytes()
            .Chunk("data", FourStereoFrames)
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Build());
        AssertFourStereoFrames(WavReader.Read(path));
    }

    [Fact]
    public void LargerFmtChunkWithExtraBytesIsAccepted()
    {
        using var dir = new TempDirectory();
        byte[] fmt = [.. WavBytes.Fmt(1, 2, 8000, 16), .. WavBytes.U16(4), 1, 2, 3, 4];
        string path = dir.Write("fmt22.wav", new WavBytes().Chunk("fmt ", fmt).Chunk("data", FourStereoFrames).Build());
        AssertFourStereoFrames(WavReader.Read(path));
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0u)]
    public void StreamedDataSizeMeansReadToEndOfFile(uint declared)
    {
        using var dir = new TempDirectory();
        byte[] data = [.. FourStereoFrames, 0x11, 0x22]; // plus half a frame a cut recording may end with
        string path = dir.Write("streamed.wav", new WavBytes { RiffSize = declared }
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Chunk("data", data, declaredSize: declared, pad: false)
            .Build());
        AssertFourStereoFrames(WavReader.Read(path));
    }

    [Fact]
    public void ZeroSizeDataFollowedByAChunkIsEmpty()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("empty.wav", new WavBytes()
            .Chunk("fmt ", WavBytes.Fmt(1, 1, 8000, 16))
            .Chunk("data", [])
            .Chunk("LIST", new byte[12])
            .Build());
        Assert.Equal(0, WavReader.Read(path).FrameCount);
    }

    [Fact]
    public void ReadsRf64WithSizesFromDs64()
    {
        using var dir = new TempDirectory();
        byte[] ds64 = [.. WavBytes.U64(0), .. WavBytes.U64((ulong)FourStereoFrames.Length), .. WavBytes.U64(4), .. WavBytes.U32(0)];
        string path = dir.Write("rf64.wav", new WavBytes { RiffId = "RF64", RiffSize = 0xFFFFFFFF }
            .Chunk("ds64", ds64)
            .Chunk("fmt ", WavBytes.Fmt(1, 2, 8000, 16))
            .Chunk("data", [.. FourStereoFrames, .. new byte[8]], declaredSize: 0xFFFFFFFF) // trailing bytes beyond ds64 size are ignored
            .Build());
        Assert.True(WavReader.ReadFormat(path).IsRf64);
        AssertFourStereoFrames(WavReader.Read(path));
    }

    [Fact]
    public void ReadsFloat64()
    {
        using var dir = new TempDirectory();
        byte[] data = [.. BitConverter.GetBytes(0.25), .. BitConverter.GetBytes(-1.0 / 3)];
        string path = dir.Write("f64.wav", new WavBytes().Chunk("fmt ", WavBytes.Fmt(3, 1, 8000, 64)).Chunk("data", data).Build());
        Assert.Equal([0.25f, (float)(-1.0 / 3)], WavReader.Read(path).Channels[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(4096)]
    [InlineData(100000)]
    public void StreamingBlocksEqualTheWholeRead(int blockFrames)
    {
        using var dir = new TempDirectory();
        string path = dir.File("long.wav");
        AudioBuffer original = Signals.NoiseBuffer(44100, 3, 70001, seed: 11);
        WavWriter.Write(path, original, WavSampleFormat.Pcm24);
        AudioBuffer whole = WavReader.Read(path);

        using WavFileReader reader = WavReader.Open(path);
        Assert.Equal(70001, reader.FrameCount);
        Assert.Equal(3, reader.ChannelCount);
        Assert.Equal(WavSampleFormat.Pcm24, reader.Format.SampleFormat);
        var pieces = reader.ReadBlocks(blockFrames).ToList();
        Assert.All(pieces.SkipLast(1), b => Assert.Equal(blockFrames, b.FrameCount));
        Assert.Equal(0, reader.FramesRemaining);
        for (int c = 0; c < 3; c++)
            Assert.Equal(whole.Channels[c], pieces.SelectMany(b => b.Channels[c]).ToArray());
    }

    [Fact]
    public void ReadIntoOffsetAndSeek()
    {
        using var dir = new TempDirectory();
        string path = dir.File("seek.wav");
        WavWriter.Write(path, new AudioBuffer(8000, [[0.125f, 0.25f, 0.375f, 0.5f, 0.625f]]));
        using WavFileReader reader = WavReader.Open(path);
        float[][] dst = [new float[4]];
        reader.Seek(3);
        Assert.Equal(2, reader.Read(dst, 1, 3)); // only two frames are left
        Assert.Equal([0f, 0.5f, 0.625f, 0f], dst[0]);
        Assert.Equal(0, reader.Read(dst, 0, 4));
        reader.Seek(1);
        Assert.Equal(0.25f, reader.ReadBlock(1)!.Channels[0][0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Seek(6));
    }

    [Fact]
    public void DurationComesFromFramesAndRate()
    {
        using var dir = new TempDirectory();
        string path = dir.File("d.wav");
        WavWriter.Write(path, new AudioBuffer(32000, 1, 48000), WavSampleFormat.Pcm16);
        Assert.Equal(TimeSpan.FromSeconds(1.5), WavReader.ReadFormat(path).Duration);
    }
}
