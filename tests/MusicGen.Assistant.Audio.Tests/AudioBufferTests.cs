namespace MusicGen.Assistant.Audio.Tests;

public class AudioBufferTests
{
    [Fact]
    public void PropertiesDescribeThePlanarArrays()
    {
        var buffer = new AudioBuffer(32000, [new float[48000], new float[48000]]);
        Assert.Equal(2, buffer.ChannelCount);
        Assert.Equal(48000, buffer.FrameCount);
        Assert.Equal(TimeSpan.FromSeconds(1.5), buffer.Duration);
        Assert.Same(buffer.Channels[1], buffer[1]);
        Assert.Equal(TimeSpan.FromTicks(3_333_333), AudioBuffer.FramesToDuration(1, 3)); // exact to the tick
    }

    [Fact]
    public void InterleavedRoundTrip()
    {
        float[] interleaved = [1, 2, 3, 4, 5, 6];
        AudioBuffer buffer = AudioBuffer.FromInterleaved(interleaved, 3, 8000);
        Assert.Equal([1f, 4f], buffer.Channels[0]);
        Assert.Equal([3f, 6f], buffer.Channels[2]);
        Assert.Equal(interleaved, buffer.ToInterleaved());
        Assert.Contains("not a multiple of the channel count 4",
            Assert.Throws<ArgumentException>(() => AudioBuffer.FromInterleaved(interleaved, 4, 8000)).Message);
    }

    [Fact]
    public void SliceCopiesARange()
    {
        var buffer = new AudioBuffer(8000, [[1f, 2f, 3f, 4f]]);
        AudioBuffer slice = buffer.Slice(1, 2);
        Assert.Equal([2f, 3f], slice.Channels[0]);
        slice.Channels[0][0] = 9;
        Assert.Equal(2f, buffer.Channels[0][1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(3, 2));
    }

    [Fact]
    public void InvalidConstructionIsExplained()
    {
        Assert.Contains("Channel 1 has 3 frames but channel 0 has 2",
            Assert.Throws<ArgumentException>(() => new AudioBuffer(8000, [new float[2], new float[3]])).Message);
        Assert.Contains("at least one channel", Assert.Throws<ArgumentException>(() => new AudioBuffer(8000, [])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioBuffer(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioBuffer(8000, 0, 1));
    }
}
