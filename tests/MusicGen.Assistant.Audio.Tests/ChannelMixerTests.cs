namespace MusicGen.Assistant.Audio.Tests;

public class ChannelMixerTests
{
    [Fact]
    public void ToMonoAveragesChannels()
    {
        var buffer = new AudioBuffer(8000, [[1f, 0.5f, -1f], [0f, 0.25f, 1f], [0.5f, 0f, 0f]]);
        AudioBuffer mono = ChannelMixer.ToMono(buffer);
        Assert.Equal(1, mono.ChannelCount);
        Assert.Equal(8000, mono.SampleRate);
        Assert.Equal([0.5f, 0.25f, 0f], mono.Channels[0]);
    }

    [Fact]
    public void MonoToManyCopies()
    {
        var mono = new AudioBuffer(8000, [[0.1f, 0.2f]]);
        AudioBuffer three = ChannelMixer.ToChannels(mono, 3);
        Assert.Equal(3, three.ChannelCount);
        Assert.All(three.Channels, c => Assert.Equal([0.1f, 0.2f], c));
        Assert.NotSame(three.Channels[0], three.Channels[1]);
        Assert.NotSame(mono.Channels[0], three.Channels[0]);
    }

    [Fact]
    public void SameCountCopiesAndManyToOneAverages()
    {
        var stereo = new AudioBuffer(8000, [[1f], [0f]]);
        AudioBuffer copy = ChannelMixer.ToChannels(stereo, 2);
        Assert.NotSame(stereo.Channels[0], copy.Channels[0]);
        Assert.Equal([1f], copy.Channels[0]);
        Assert.Equal([0.5f], ChannelMixer.ToChannels(stereo, 1).Channels[0]);
        Assert.NotSame(copy.Channels[0], ChannelMixer.ToMono(copy).Channels[0]);
    }

    [Fact]
    public void AmbiguousConversionsAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => ChannelMixer.ToChannels(new AudioBuffer(8000, 3, 1), 2));
        Assert.Contains("Cannot convert 3 channels to 2", e.Message);
        Assert.Throws<ArgumentException>(() => ChannelMixer.ToChannels(new AudioBuffer(8000, 2, 1), 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelMixer.ToChannels(new AudioBuffer(8000, 2, 1), 0));
    }
}
