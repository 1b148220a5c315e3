using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

public sealed class MediaProbeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_video_with_sound_lists_both_streams_with_their_parameters()
    {
        MediaInfo info = MediaProbe.Probe(TestMedia.Video(_dir, "clip.mp4"));
        MediaStreamInfo video = Assert.Single(info.VideoStreams);
        MediaStreamInfo audio = Assert.Single(info.AudioStreams);
        Assert.Equal(("mpeg4", 64, 48, 10.0), (video.Codec, video.Width, video.Height, video.FrameRate));
        Assert.Equal(("aac", 44100, 1), (audio.Codec, audio.SampleRate, audio.Channels));
        Assert.Contains("mp4", info.FormatName);
        Assert.InRange(info.Duration!.Value.TotalSeconds, 1.99, 2.1);
        Assert.False(info.DurationIsEstimate);
        Assert.Contains("video: mpeg4, 64x48, 10 fps", info.DescribeStreams());
        Assert.Contains("audio: aac, 44100 Hz, mono", info.DescribeStreams());
    }

    [Fact]
    public void A_matroska_stream_takes_its_duration_from_the_duration_tag()
    {
        string mkv = Ffmpeg.Encode(_dir, "a.mkv", TestMedia.ToneAndNoise(48000, 1.5), "-c:a", "flac");
        MediaInfo info = MediaProbe.Probe(mkv);
        MediaStreamInfo audio = Assert.Single(info.AudioStreams);
        Assert.Equal(TimeSpan.FromSeconds(1.5), audio.Duration);
        Assert.Equal(("flac", 48000, 2, "stereo"), (audio.Codec, audio.SampleRate, audio.Channels, audio.ChannelLayout));
    }

    [Fact]
    public void A_cover_picture_is_marked_and_is_not_a_video_stream()
    {
        string cover = _dir.File("cover.png");
        Ffmpeg.Run("-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:duration=1", "-frames:v", "1", "-y", cover);
        string wav = _dir.File("song.wav");
        WavWriter.Write(wav, TestMedia.ToneAndNoise(44100, 1));
        string mp3 = _dir.File("song.mp3");
        Ffmpeg.Run("-loglevel", "error", "-i", wav, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "png",
            "-disposition:v:0", "attached_pic", "-y", mp3);
        MediaInfo info = MediaProbe.Probe(mp3);
        MediaStreamInfo picture = Assert.Single(info.PictureStreams);
        Assert.True(picture.IsAttachedPicture);
        Assert.Empty(info.VideoStreams);
        Assert.Contains("cover picture", info.DescribeStreams());
    }

    [Fact]
    public void An_empty_file_is_reported_as_empty()
    {
        var e = Assert.Throws<MediaFormatException>(() => MediaProbe.Probe(_dir.Write("nothing.mp3", [])));
        Assert.Equal(MediaProblem.Empty, e.Kind);
        Assert.Contains("nothing.mp3", e.Message);
        Assert.Contains("empty (0 bytes)", e.Message);
    }

    [Fact]
    public void A_text_file_named_mp3_is_not_media_and_says_it_looks_like_text()
    {
        var e = Assert.Throws<MediaFormatException>(() => MediaProbe.Probe(_dir.Write("notes.mp3", "just some notes, not audio\n"u8.ToArray())));
        Assert.Equal(MediaProblem.NotMedia, e.Kind);
        Assert.Contains("not a media file ffmpeg can read (looks like text", e.Message);
        Assert.Contains("notes.mp3", e.Message);
        Assert.NotNull(e.ToolOutput); // ffprobe's own words are quoted
        Assert.Contains("ffmpeg said:", e.Message);
    }

    [Fact]
    public void Random_bytes_are_not_media_and_the_first_bytes_are_shown()
    {
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        bytes[0] = 0x00; // no accidental MPEG sync word at the start
        var e = Assert.Throws<MediaFormatException>(() => MediaProbe.Probe(_dir.Write("noise.bin", bytes)));
        Assert.Equal(MediaProblem.NotMedia, e.Kind);
        Assert.Contains("first bytes: 00 ", e.Message);
    }

    [Fact]
    public void An_mp4_cut_in_half_is_damaged_media_not_an_unknown_file()
    {
        string cut = TestMedia.Truncate(_dir, TestMedia.Video(_dir, "full.mp4"), "cut.mp4");
        var e = Assert.Throws<MediaFormatException>(() => MediaProbe.Probe(cut));
        Assert.Equal(MediaProblem.Damaged, e.Kind);
        Assert.Contains("looks like MP4/M4A", e.Message);
        Assert.Contains("probably truncated or corrupt", e.Message);
        Assert.Contains("moov atom not found", e.Message);
    }

    [Fact]
    public void A_missing_file_and_a_folder_are_named()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => MediaProbe.Probe(_dir.File("absent.ogg")));
        Assert.Contains("absent.ogg", missing.Message);
        var folder = Assert.Throws<MediaFormatException>(() => MediaProbe.Probe(_dir.Path));
        Assert.Contains("is a folder", folder.Message);
    }

    [Fact]
    public void A_file_name_that_looks_like_an_option_or_a_protocol_is_read_as_a_file()
    {
        string odd = _dir.File("-take:2.mkv");
        File.Move(Ffmpeg.Encode(_dir, "src.mkv", TestMedia.ToneAndNoise(16000, 0.5), "-c:a", "flac"), odd);
        Assert.Equal(16000, Assert.Single(MediaProbe.Probe(odd).AudioStreams).SampleRate);
    }
}
