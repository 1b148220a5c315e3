using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Wav;

public class WavWriterTests
{
    [Theory]
    [InlineData(WavSampleFormat.Float32, 1)]
    [InlineData(WavSampleFormat.Pcm16, 2)]
    [InlineData(WavSampleFormat.Pcm24, 3)]
    [InlineData(WavSampleFormat.Pcm8, 1)]
    public void StreamingWriterProducesTheSameBytesAsTheWholeWriter(WavSampleFormat format, int channels)
    {
        using var dir = new TempDirectory();
        AudioBuffer signal = Signals.NoiseBuffer(24000, channels, 100_003, seed: 5);
        string whole = dir.File("whole.wav"), streamed = dir.File("streamed.wav");
        WavWriter.Write(whole, signal, format);

        using (WavWriter writer = WavWriter.Open(streamed, 24000, channels, format))
        {
            int[] sizes = [1, 0, 7, 4096, 65536, 30000];
            int at = 0;
            for (int i = 0; at < signal.FrameCount; i++)
            {
                int n = Math.Min(sizes[i % sizes.Length], signal.FrameCount - at);
                if (i % 2 == 0)
                    writer.Write(signal.Slice(at, n));
                else
                    writer.Write(signal.Channels, at, n);
                at += n;
            }
            Assert.Equal(signal.FrameCount, writer.FramesWritten);
        }

        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(streamed));
    }

    [Fact]
    public void NothingAppearsAtTheTargetUntilComplete()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.wav");
        using WavWriter writer = WavWriter.Open(path, 8000, 1);
        writer.Write(new AudioBuffer(8000, [[0.5f]]));
        Assert.False(File.Exists(path));
        writer.Complete();
        Assert.True(File.Exists(path));
        Assert.Equal([0.5f], WavReader.Read(path).Channels[0]);
        Assert.Single(Directory.GetFiles(dir.Path)); // the temporary file became the target
    }

    [Fact]
    public void AbortLeavesTheExistingFileUntouched()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("keep.wav", [1, 2, 3]);
        using (WavWriter writer = WavWriter.Open(path, 8000, 2, WavSampleFormat.Pcm16))
        {
            writer.Write(new AudioBuffer(8000, 2, 100));
            writer.Abort();
        }
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CompletedFileReplacesTheOldOne()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("replace.wav", [1, 2, 3]);
        WavWriter.Write(path, new AudioBuffer(16000, [[0.25f, -0.25f]]), WavSampleFormat.Pcm16);
        Assert.Equal([0.25f, -0.25f], WavReader.Read(path).Channels[0]);
    }

    [Fact]
    public void DisposeCompletes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("disposed.wav");
        using (WavWriter writer = WavWriter.Open(path, 8000, 1, WavSampleFormat.Pcm32))
            writer.Write(new AudioBuffer(8000, [[0.5f, 0.75f]]));
        Assert.Equal([0.5f, 0.75f], WavReader.Read(path).Channels[0]);
    }

    [Fact]
    public void MismatchedBlocksAreRejectedWithoutSpoilingTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.wav");
        using (WavWriter writer = WavWriter.Open(path, 32000, 2, WavSampleFormat.Pcm16))
        {
            var rate = Assert.Throws<ArgumentException>(() => writer.Write(new AudioBuffer(44100, 2, 10)));
            Assert.Contains("Block is 44100 Hz but", rate.Message);
            Assert.Contains("32000 Hz", rate.Message);
            var channels = Assert.Throws<ArgumentException>(() => writer.Write(new AudioBuffer(32000, 1, 10)));
            Assert.Contains("Got 1 channels but", channels.Message);
            var nan = Assert.Throws<ArgumentException>(() => writer.Write(new AudioBuffer(32000, [[0f, 0f], [0f, float.NaN]])));
            Assert.Contains("channel 1, frame 1 is NaN", nan.Message);
            writer.Write(new AudioBuffer(32000, [[0.5f], [-0.5f]]));
        }
        AudioBuffer read = WavReader.Read(path);
        Assert.Equal([0.5f], read.Channels[0]);
        Assert.Equal([-0.5f], read.Channels[1]);
    }

    [Fact]
    public void WritingAfterCompleteOrAbortFails()
    {
        using var dir = new TempDirectory();
        WavWriter writer = WavWriter.Open(dir.File("a.wav"), 8000, 1);
        writer.Complete();
        var e = Assert.Throws<InvalidOperationException>(() => writer.Write(new AudioBuffer(8000, 1, 1)));
        Assert.Contains("completed", e.Message);
        writer.Dispose();

        WavWriter aborted = WavWriter.Open(dir.File("b.wav"), 8000, 1);
        aborted.Abort();
        Assert.Contains("aborted", Assert.Throws<InvalidOperationException>(() => aborted.Complete()).Message);
        aborted.Dispose();
        Assert.False(File.Exists(dir.File("b.wav")));
    }

    [Fact]
    public void InvalidOpenArguments()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Open(dir.File("x.wav"), 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Open(dir.File("x.wav"), 8000, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Open(dir.File("x.wav"), 8000, 1, (WavSampleFormat)42));
        Assert.Throws<DirectoryNotFoundException>(() => WavWriter.Open(dir.File("missing/x.wav"), 8000, 1));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
