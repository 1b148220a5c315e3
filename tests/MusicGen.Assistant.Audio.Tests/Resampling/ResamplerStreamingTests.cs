using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Tests.Resampling;

/// <summary>The streaming contract: any chunking gives the one-shot result bit for bit, with the documented length.</summary>
public class ResamplerStreamingTests
{
    private static float[] ProcessInChunks(Resampler resampler, float[] input, int[] chunkSizes)
    {
        var result = new List<float>();
        int at = 0;
        for (int i = 0; at < input.Length; i++)
        {
            int n = Math.Min(chunkSizes[i % chunkSizes.Length], input.Length - at);
            ReadOnlySpan<float> chunk = input.AsSpan(at, n);
            int expected = resampler.GetOutputLength(n);
            float[] produced = resampler.Process(chunk);
            Assert.Equal(expected, produced.Length);
            result.AddRange(produced);
            at += n;
        }
        int pending = resampler.PendingFlushLength;
        float[] tail = resampler.Flush();
        Assert.Equal(pending, tail.Length);
        result.AddRange(tail);
        return [.. result];
    }

    [Theory]
    [InlineData(44100, 32000)]
    [InlineData(48000, 32000)]
    [InlineData(22050, 32000)]
    [InlineData(8000, 32000)]
    [InlineData(32000, 24000)]
    [InlineData(96000, 8000)]
    [InlineData(44100, 44101)]
    [InlineData(32000, 32000)]
    public void ChunkedEqualsOneShotBitForBit(int inRate, int outRate)
    {
        float[] input = Signals.Noise(50_000, seed: inRate ^ outRate);
        float[] oneShot = Resampler.Resample(input, inRate, outRate);
        Assert.Equal(Resampler.OutputLength(input.Length, inRate, outRate), oneShot.Length);

        foreach (int[] sizes in new[] { new[] { 1 }, new[] { 7, 0, 1, 333 }, new[] { 4096 }, new[] { 40_000, 3, 9_997 } })
        {
            float[] chunked = ProcessInChunks(new Resampler(inRate, outRate), input, sizes);
            Assert.Equal(oneShot, chunked); // exact float equality, element by element
        }
    }

    [Theory]
    [InlineData(0, 44100, 32000, 0)]
    [InlineData(1, 44100, 32000, 1)]      // 0.73 → 1
    [InlineData(441, 44100, 32000, 320)]
    [InlineData(1000, 44100, 32000, 726)] // 725.62 → 726
    [InlineData(2, 32000, 24000, 2)]      // 1.5 → 2: halves round up
    [InlineData(3, 32000, 24000, 2)]      // 2.25 → 2
    [InlineData(10, 8000, 32000, 40)]
    [InlineData(5, 96000, 8000, 0)]       // 0.42 → 0
    [InlineData(6, 96000, 8000, 1)]       // 0.5 → 1
    [InlineData(44100L * 3600 * 5, 44100, 32000, 32000L * 3600 * 5)]
    public void OutputLengthIsRoundedProduct(long inputLength, int inRate, int outRate, long expected)
    {
        Assert.Equal(expected, Resampler.OutputLength(inputLength, inRate, outRate));
        if (inputLength < 100_000)
        {
            Assert.Equal(expected, Resampler.Resample(new float[inputLength], inRate, outRate).Length);
            Assert.Equal(expected, ProcessInChunks(new Resampler(inRate, outRate), new float[inputLength], [3]).Length);
        }
    }

    [Fact]
    public void EqualRatesCopyExactly()
    {
        float[] input = Signals.Noise(1001, seed: 2);
        Assert.Equal(input, Resampler.Resample(input, 32000, 32000));
        var resampler = new Resampler(24000, 24000);
        Assert.Equal(0, resampler.FilterLength);
        Assert.Equal(input[..10], resampler.Process(input.AsSpan(0, 10)));
        Assert.Empty(resampler.Flush());
        AudioBuffer buffer = Signals.NoiseBuffer(16000, 2, 100, seed: 3);
        AudioBuffer same = Resampler.Resample(buffer, 16000);
        Assert.NotSame(buffer.Channels[0], same.Channels[0]);
        Assert.Equal(buffer.Channels[1], same.Channels[1]);
    }

    [Fact]
    public void ResampleBufferTreatsEachChannelAlike()
    {
        AudioBuffer buffer = Signals.NoiseBuffer(44100, 3, 10_000, seed: 9);
        AudioBuffer result = Resampler.Resample(buffer, 32000);
        Assert.Equal(32000, result.SampleRate);
        Assert.Equal(3, result.ChannelCount);
        Assert.Equal(7256, result.FrameCount); // round(10000 · 32000 / 44100) = round(7256.2)
        for (int c = 0; c < 3; c++)
            Assert.Equal(Resampler.Resample(buffer.Channels[c], 44100, 32000), result.Channels[c]);
    }

    [Fact]
    public void MultiChannelBlocksEqualTheWholeBuffer()
    {
        AudioBuffer buffer = Signals.NoiseBuffer(48000, 2, 30_000, seed: 4);
        AudioBuffer whole = Resampler.Resample(buffer, 32000);
        var streaming = new MultiChannelResampler(48000, 32000, 2);
        var blocks = new List<AudioBuffer>();
        for (int at = 0; at < buffer.FrameCount; at += 4000)
            blocks.Add(streaming.Process(buffer.Slice(at, Math.Min(4000, buffer.FrameCount - at))));
        blocks.Add(streaming.Flush());
        for (int c = 0; c < 2; c++)
            Assert.Equal(whole.Channels[c], blocks.SelectMany(b => b.Channels[c]).ToArray());
        Assert.All(blocks, b => Assert.Equal(32000, b.SampleRate));
    }

    [Fact]
    public void ResetStartsANewSignal()
    {
        float[] a = Signals.Noise(5000, seed: 1), b = Signals.Noise(3000, seed: 2);
        var resampler = new Resampler(44100, 32000);
        resampler.Process(a);
        resampler.Flush();
        var e = Assert.Throws<InvalidOperationException>(() => resampler.Process(b));
        Assert.Contains("Reset()", e.Message);
        resampler.Reset();
        Assert.Equal(0, resampler.InputCount);
        Assert.Equal(Resampler.Resample(b, 44100, 32000), ProcessInChunks(resampler, b, [1000]));
    }

    [Fact]
    public void TooSmallOutputIsRejected()
    {
        var resampler = new Resampler(8000, 32000);
        int needed = resampler.GetOutputLength(1000);
        var e = Assert.Throws<ArgumentException>(() => resampler.Process(new float[1000], new float[needed - 1]));
        Assert.Contains("GetOutputLength", e.Message);
        Assert.Equal(0, resampler.InputCount); // nothing was consumed
    }

    [Fact]
    public void InvalidRatesAndQualityAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 32000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(44100, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerQuality(30, 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerQuality(100, 1.0));
    }
}
