using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Models.Tests.Vision;

public class VideoFrameSamplerTests
{
    /// <summary>Stands in for numpy's randint: returns a fixed end index after checking the range M2UGen asks for.</summary>
    private sealed class FixedEnd(int end, int low, int high) : Random
    {
        public override int Next(int minValue, int maxValue)
        {
            Assert.Equal((low, high), (minValue, maxValue));
            return end;
        }
    }

    [Fact]
    public void A_long_video_gives_32_consecutive_frames_ending_before_the_drawn_end()
    {
        // randint(32, 100) -> 50: linspace(18, 50, 32) clipped to [18, 49] -> 18..49
        Assert.Equal(Enumerable.Range(18, 32), VideoFrameSampler.SampleIndices(100, new FixedEnd(50, 32, 100)));
        Assert.Equal(Enumerable.Range(67, 32), VideoFrameSampler.SampleIndices(100, new FixedEnd(99, 32, 100)));
        Assert.Equal(Enumerable.Range(0, 32), VideoFrameSampler.SampleIndices(33, new FixedEnd(32, 32, 33)));
    }

    [Fact]
    public void A_frame_rate_spreads_the_clip()
    {
        // clip 4 at rate 2 over 20 frames, end 12: linspace(4, 12, 4) = 4, 6.67, 9.33, 12 -> clip to 11 -> 4, 6, 9, 11
        Assert.Equal(new[] { 4, 6, 9, 11 }, VideoFrameSampler.SampleIndices(20, new FixedEnd(12, 8, 20), clipLength: 4, frameSampleRate: 2));
    }

    [Fact]
    public void A_short_video_repeats_one_frame_and_end_zero_means_the_last_frame()
    {
        // fewer than 32 frames: converted_len = 0, randint(0, 10) -> e, all indices e - 1 (np.clip's upper bound wins)
        Assert.Equal(Enumerable.Repeat(3, 32), VideoFrameSampler.SampleIndices(10, new FixedEnd(4, 0, 10)));
        // e = 0 -> index -1, which Python reads as the last frame
        Assert.Equal(Enumerable.Repeat(9, 32), VideoFrameSampler.SampleIndices(10, new FixedEnd(0, 0, 10)));
    }

    [Fact]
    public void Exactly_32_frames_take_the_whole_video()
    {
        // M2UGen's randint(32, 32) raises; the whole video is the only clip there is
        Assert.Equal(Enumerable.Range(0, 32), VideoFrameSampler.SampleIndices(32, new FixedEnd(-1, 0, 0)));
    }

    [Fact]
    public void A_seeded_random_repeats_its_choice_and_stays_in_range()
    {
        for (var frames = 1; frames < 120; frames += 7)
        {
            var a = VideoFrameSampler.SampleIndices(frames, new Random(frames));
            Assert.Equal(a, VideoFrameSampler.SampleIndices(frames, new Random(frames)));
            Assert.Equal(32, a.Length);
            Assert.All(a, i => Assert.InRange(i, 0, frames - 1));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoFrameSampler.SampleIndices(0, new Random(1)));
    }
}
