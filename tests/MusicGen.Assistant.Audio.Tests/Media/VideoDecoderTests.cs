using MusicGen.Assistant.Audio.Media;

namespace MusicGen.Assistant.Audio.Tests.Media;

public sealed class VideoDecoderTests : IDisposable
{
    private const int Width = 8, Height = 6, Frames = 20, Fps = 10;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>2 s at 10 fps, losslessly coded (FFV1), frame k a flat gray of level 10·k: a frame's level names it.</summary>
    private string NumberedVideo(string name = "numbered.mkv")
    {
        var raw = new byte[Frames * Width * Height * 3];
        for (int k = 0; k < Frames; k++)
            raw.AsSpan(k * Width * Height * 3, Width * Height * 3).Fill((byte)(10 * k));
        string rawPath = _dir.Write("frames.raw", raw);
        string path = _dir.File(name);
        Ffmpeg.Run("-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{Width}x{Height}", "-r", $"{Fps}", "-i", rawPath,
            "-c:v", "ffv1", "-y", path);
        return path;
    }

    private static int[] FrameNumbers(VideoFrames frames) => frames.Frames.Select(f =>
    {
        Assert.All(f.Pixels, b => Assert.Equal(f.Pixels[0], b)); // still flat: nothing blended
        return f.Pixels[0] / 10;
    }).ToArray();

    [Fact]
    public void Evenly_spread_frames_are_the_ones_on_screen_at_k_times_duration_over_count()
    {
        VideoFrames frames = VideoDecoder.DecodeFrames(NumberedVideo(), VideoFrameSampling.Evenly(4));
        Assert.Equal([0, 5, 10, 15], FrameNumbers(frames));
        Assert.Equal([0.0, 0.5, 1.0, 1.5], frames.Times.Select(t => t.TotalSeconds));
        Assert.Equal((Width, Height), (frames.Width, frames.Height));
        Assert.False(frames.ReachedMaxFrames);
    }

    [Fact]
    public void More_samples_than_frames_repeat_frames_and_still_give_the_count_asked()
    {
        VideoFrames frames = VideoDecoder.DecodeFrames(NumberedVideo(), VideoFrameSampling.Evenly(32));
        Assert.Equal(32, frames.Count);
        int[] numbers = FrameNumbers(frames);
        // sample k at t = k·2/32 s shows frame floor(k·20/32)
        Assert.Equal(Enumerable.Range(0, 32).Select(k => k * 20 / 32), numbers);
    }

    [Fact]
    public void Sampling_at_a_rate_takes_frames_on_that_grid_and_says_when_it_hit_its_limit()
    {
        string video = NumberedVideo();
        VideoFrames all = VideoDecoder.DecodeFrames(video, VideoFrameSampling.AtRate(2.5));
        Assert.Equal([0, 4, 8, 12, 16], FrameNumbers(all));
        Assert.False(all.ReachedMaxFrames);

        VideoFrames first = VideoDecoder.DecodeFrames(video, VideoFrameSampling.AtRate(10, maxFrames: 6));
        Assert.Equal([0, 1, 2, 3, 4, 5], FrameNumbers(first));
        Assert.True(first.ReachedMaxFrames);
        Assert.Equal(0.5, first.Times[^1].TotalSeconds, 9);
    }

    [Fact]
    public void A_lossy_video_gives_frames_of_its_size()
    {
        VideoFrames frames = VideoDecoder.DecodeFrames(TestMedia.Video(_dir, "clip.webm", videoCodec: "libvpx"), VideoFrameSampling.Evenly(3));
        Assert.Equal(3, frames.Count);
        Assert.All(frames.Frames, f => Assert.Equal((64, 48, 64 * 48 * 3), (f.Width, f.Height, f.Pixels.Length)));
        Assert.NotEqual(frames.Frames[0].Pixels, frames.Frames[2].Pixels); // testsrc moves
    }

    [Fact]
    public void Audio_and_a_cover_picture_are_not_video()
    {
        string flac = Ffmpeg.Encode(_dir, "a.flac", TestMedia.ToneAndNoise(8000, 0.3), "-c:a", "flac");
        var e = Assert.Throws<MediaFormatException>(() => VideoDecoder.DecodeFrames(flac, VideoFrameSampling.Evenly(2)));
        Assert.Equal(MediaProblem.NoVideoStream, e.Kind);
        Assert.Contains("has no video stream (it holds audio: flac, 8000 Hz, stereo)", e.Message);
    }

    [Fact]
    public void A_video_longer_than_the_limit_is_refused_naming_the_limit()
    {
        var options = new VideoDecodeOptions { MaxDuration = TimeSpan.FromSeconds(1.5) };
        var e = Assert.Throws<MediaFormatException>(() => VideoDecoder.DecodeFrames(NumberedVideo(), VideoFrameSampling.Evenly(2), options));
        Assert.Equal(MediaProblem.TooLong, e.Kind);
        Assert.Contains("the video is 2 s long, over the limit of 1.5 s (MaxDuration)", e.Message);
    }

    [Fact]
    public void More_frames_than_the_total_pixel_budget_allows_are_refused_before_decoding()
    {
        var options = new VideoDecodeOptions { MaxTotalPixels = 10 * 48 - 1 };
        var e = Assert.Throws<MediaFormatException>(() => VideoDecoder.DecodeFrames(NumberedVideo(), VideoFrameSampling.Evenly(10), options));
        Assert.Equal(MediaProblem.TooLarge, e.Kind);
        Assert.Contains("10 frames of 8x6 hold 480 pixels, over the limit of 479 (MaxTotalPixels)", e.Message);
        Assert.Equal(10, VideoDecoder.DecodeFrames(NumberedVideo("again.mkv"), VideoFrameSampling.Evenly(10), options with { MaxTotalPixels = 480 }).Count);
    }

    [Fact]
    public void Frames_over_the_pixel_limit_are_refused()
    {
        var options = new VideoDecodeOptions { MaxPixels = 47 };
        var e = Assert.Throws<MediaFormatException>(() => VideoDecoder.DecodeFrames(NumberedVideo(), VideoFrameSampling.Evenly(2), options));
        Assert.Equal(MediaProblem.TooLarge, e.Kind);
        Assert.Contains("8x6 = 48 pixels", e.Message);
    }
}
