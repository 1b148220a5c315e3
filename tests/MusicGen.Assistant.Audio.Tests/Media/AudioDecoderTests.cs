using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

public sealed class AudioDecoderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_plain_wav_is_read_by_our_reader_without_ffmpeg()
    {
        AudioBuffer source = TestMedia.ToneAndNoise(22050, 0.5);
        string wav = _dir.File("a.wav");
        WavWriter.Write(wav, source);
        var noTools = new MediaTools("/nonexistent/ffmpeg", "/nonexistent/ffprobe"); // would fail if it were used
        AudioBuffer read = AudioDecoder.Decode(wav, new AudioDecodeOptions { Tools = noTools });
        Assert.Equal(source.Channels, read.Channels);
        Assert.Equal(22050, read.SampleRate);
    }

    [Fact]
    public void Flac_at_the_source_rate_decodes_to_exactly_the_16_bit_samples()
    {
        AudioBuffer source = TestMedia.QuantizedTo16Bit(_dir, TestMedia.ToneAndNoise(44100, 1.3));
        string flac = Ffmpeg.Encode(_dir, "a.flac", source, "-c:a", "flac", "-sample_fmt", "s16");
        AudioBuffer read = AudioDecoder.Decode(flac);
        Assert.Equal((44100, 2), (read.SampleRate, read.ChannelCount));
        Assert.Equal(source.Channels, read.Channels);
    }

    [Fact]
    public void Mixing_and_resampling_give_what_our_mixer_and_resampler_give_on_the_source()
    {
        AudioBuffer source = TestMedia.QuantizedTo16Bit(_dir, TestMedia.ToneAndNoise(44100, 2.1));
        string flac = Ffmpeg.Encode(_dir, "a.flac", source, "-c:a", "flac", "-sample_fmt", "s16");
        // small blocks: many resampler calls, which must not change a single sample
        var options = new AudioDecodeOptions { SampleRate = 32000, ChannelCount = 1, BlockFrames = 5000 };
        AudioBuffer read = AudioDecoder.Decode(flac, options);

        AudioBuffer expected = Resampler.Resample(ChannelMixer.ToMono(source), 32000);
        Assert.Equal((32000, 1), (read.SampleRate, read.ChannelCount));
        Assert.Equal(Resampler.OutputLength(source.FrameCount, 44100, 32000), read.FrameCount);
        Assert.Equal(expected.Channels[0], read.Channels[0]);
    }

    [Fact]
    public void Mono_is_copied_to_stereo_after_resampling_and_stereo_is_kept()
    {
        var mono = new AudioBuffer(16000, [Signals.Sine(300, 16000, 8000)]);
        string flac = Ffmpeg.Encode(_dir, "m.flac", mono, "-c:a", "flac", "-sample_fmt", "s32");
        AudioBuffer stereo = AudioDecoder.Decode(flac, new AudioDecodeOptions { SampleRate = 24000, ChannelCount = 2 });
        Assert.Equal((24000, 2, 12000), (stereo.SampleRate, stereo.ChannelCount, stereo.FrameCount));
        Assert.Equal(stereo.Channels[0], stereo.Channels[1]);

        string two = Ffmpeg.Encode(_dir, "s.flac", TestMedia.ToneAndNoise(16000, 0.5), "-c:a", "flac");
        Assert.Equal(2, AudioDecoder.Decode(two).ChannelCount);
    }

    [Fact]
    public void Six_channels_to_two_is_refused_as_ambiguous_before_decoding()
    {
        var channels = Enumerable.Range(0, 6).Select(c => Signals.Sine(200 + 100 * c, 48000, 4800)).ToArray();
        string flac = Ffmpeg.Encode(_dir, "surround.flac", new AudioBuffer(48000, channels), "-c:a", "flac");
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Open(flac, new AudioDecodeOptions { ChannelCount = 2 }));
        Assert.Equal(MediaProblem.Unsupported, e.Kind);
        Assert.Contains("6 channels", e.Message);
        Assert.Contains("ask for mono (1)", e.Message);
        Assert.Equal(1, AudioDecoder.Decode(flac, new AudioDecodeOptions { ChannelCount = 1 }).ChannelCount);
    }

    [Fact]
    public void Mp3_decodes_to_the_source_length_and_rate_and_the_same_tone()
    {
        var tone = new AudioBuffer(44100, [Signals.Sine(440, 44100, 3 * 44100, 0.5)]);
        string mp3 = Ffmpeg.Encode(_dir, "a.mp3", tone, "-c:a", "libmp3lame", "-q:a", "2");
        AudioBuffer read = AudioDecoder.Decode(mp3);
        // ffmpeg's LAME header carries the encoder delay and padding, so the exact length comes back
        Assert.Equal((44100, 1, tone.FrameCount), (read.SampleRate, read.ChannelCount, read.FrameCount));
        Assert.True(RmsDifference(tone.Channels[0], read.Channels[0]) < 0.01, "the decoded MP3 differs from the tone");
    }

    [Theory]
    [InlineData("a.m4a", "aac")]
    [InlineData("a.ogg", "libvorbis")]
    [InlineData("a.webm", "libopus")]
    [InlineData("a.mkv", "flac")]
    public void Common_containers_decode_to_the_tone_at_the_requested_rate(string name, string codec)
    {
        var tone = new AudioBuffer(48000, [Signals.Sine(440, 48000, 96000, 0.5), Signals.Sine(440, 48000, 96000, 0.5)]);
        string file = Ffmpeg.Encode(_dir, name, tone, "-c:a", codec);
        AudioBuffer read = AudioDecoder.Decode(file, AudioDecodeOptions.For(24000, 1));
        Assert.Equal((24000, 1), (read.SampleRate, read.ChannelCount));
        Assert.InRange(read.FrameCount, 48000 - 1200, 48000 + 1200); // codec priming/padding within 50 ms
        AudioBuffer expected = Resampler.Resample(new AudioBuffer(48000, [tone.Channels[0]]), 24000);
        int n = Math.Min(expected.FrameCount, read.FrameCount) - 2400;
        Assert.True(BestAlignedRms(expected.Channels[0], read.Channels[0], n) < 0.05, $"{name} does not decode to the tone");
    }

    [Fact]
    public void The_sound_of_a_video_is_decoded()
    {
        AudioBuffer read = AudioDecoder.Decode(TestMedia.Video(_dir, "clip.mp4"), AudioDecodeOptions.For(32000, 1));
        Assert.InRange(read.FrameCount, 63000, 65000);
        Assert.InRange(Rms(read.Channels[0].AsSpan(8000, 32000)), 0.085, 0.092); // lavfi's sine: amplitude 1/8, RMS 0.088
    }

    [Fact]
    public void A_video_without_sound_has_no_audio_stream_and_says_what_it_has()
    {
        string clip = TestMedia.Video(_dir, "silent.mp4", withAudio: false);
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(clip));
        Assert.Equal(MediaProblem.NoAudioStream, e.Kind);
        Assert.Contains("has no audio stream (it holds video: mpeg4, 64x48, 10 fps)", e.Message);
    }

    [Fact]
    public void A_second_audio_stream_can_be_chosen_by_index()
    {
        string a = Ffmpeg.Encode(_dir, "a.flac", new AudioBuffer(16000, [Signals.Sine(300, 16000, 16000)]), "-c:a", "flac");
        string b = Ffmpeg.Encode(_dir, "b.flac", new AudioBuffer(16000, [Signals.Sine(900, 16000, 16000, 0.25)]), "-c:a", "flac");
        string both = _dir.File("both.mkv");
        Ffmpeg.Run("-loglevel", "error", "-i", a, "-i", b, "-map", "0", "-map", "1", "-c", "copy", "-y", both);
        float first = AudioDecoder.Decode(both).Channels[0].Max();
        float second = AudioDecoder.Decode(both, new AudioDecodeOptions { StreamIndex = 1 }).Channels[0].Max();
        Assert.InRange(first, 0.49f, 0.51f);
        Assert.InRange(second, 0.24f, 0.26f);
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(both, new AudioDecodeOptions { StreamIndex = 5 }));
        Assert.Contains("has no stream 5", e.Message);
    }

    [Theory]
    [InlineData("a.flac", "flac")]
    [InlineData("a.mp3", "libmp3lame")]
    public void A_file_cut_in_half_is_reported_as_truncated(string name, string codec)
    {
        string full = Ffmpeg.Encode(_dir, name, TestMedia.ToneAndNoise(44100, 4), "-c:a", codec);
        string cut = TestMedia.Truncate(_dir, full, "cut-" + name);
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(cut));
        Assert.Equal(MediaProblem.Truncated, e.Kind);
        Assert.Contains("cut-" + name, e.Message);
        Assert.Contains("the file declares 4", e.Message);
        Assert.Contains("probably truncated", e.Message);
    }

    [Fact]
    public void A_wav_cut_short_is_reported_as_truncated_by_our_reader()
    {
        WavWriter.Write(_dir.File("full.wav"), TestMedia.ToneAndNoise(8000, 1));
        string cut = TestMedia.Truncate(_dir, _dir.File("full.wav"), "cut.wav");
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(cut));
        Assert.Equal(MediaProblem.Truncated, e.Kind);
        Assert.Contains("cut.wav", e.Message);
    }

    [Fact]
    public void Empty_and_non_media_files_get_their_own_errors()
    {
        Assert.Equal(MediaProblem.Empty, Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(_dir.Write("e.wav", []))).Kind);
        var text = Assert.Throws<MediaFormatException>(() => AudioDecoder.Decode(_dir.Write("t.ogg", "hello world\n"u8.ToArray())));
        Assert.Equal(MediaProblem.NotMedia, text.Kind);
        Assert.Contains("looks like text", text.Message);
    }

    [Fact]
    public void A_wav_header_our_reader_rejects_falls_back_to_ffmpeg()
    {
        // mu-law WAV: a codec our reader does not do, ffmpeg does
        AudioBuffer source = TestMedia.ToneAndNoise(8000, 0.5);
        string ulaw = Ffmpeg.Encode(_dir, "ulaw.wav", source, "-c:a", "pcm_mulaw");
        AudioBuffer read = AudioDecoder.Decode(ulaw);
        Assert.Equal((8000, 2, 4000), (read.SampleRate, read.ChannelCount, read.FrameCount));
        Assert.True(RmsDifference(source.Channels[0], read.Channels[0]) < 0.02);
    }

    [Fact]
    public void A_file_declared_longer_than_the_limit_is_refused_naming_the_limit()
    {
        string flac = Ffmpeg.Encode(_dir, "long.flac", TestMedia.ToneAndNoise(8000, 3), "-c:a", "flac");
        var options = new AudioDecodeOptions { MaxDuration = TimeSpan.FromSeconds(2) };
        var e = Assert.Throws<MediaFormatException>(() => AudioDecoder.Open(flac, options));
        Assert.Equal(MediaProblem.TooLong, e.Kind);
        Assert.Contains("the audio is 3 s long, over the limit of 2 s (MaxDuration)", e.Message);

        WavWriter.Write(_dir.File("long.wav"), TestMedia.ToneAndNoise(8000, 3));
        Assert.Equal(MediaProblem.TooLong, Assert.Throws<MediaFormatException>(() => AudioDecoder.Open(_dir.File("long.wav"), options)).Kind);
    }

    [Fact]
    public void A_file_whose_length_is_only_estimated_is_stopped_while_reading_at_the_limit()
    {
        // Without a Xing header ffmpeg only estimates an MP3's duration, so the limit is enforced while decoding.
        string mp3 = Ffmpeg.Encode(_dir, "noxing.mp3", TestMedia.ToneAndNoise(44100, 3), "-c:a", "libmp3lame", "-write_xing", "0");
        var options = new AudioDecodeOptions { MaxDuration = TimeSpan.FromSeconds(1), BlockFrames = 4096 };
        using MediaAudioReader reader = AudioDecoder.Open(mp3, options);
        Assert.True(reader.Source.DurationIsEstimate);
        var e = Assert.Throws<MediaFormatException>(() => reader.ReadToEnd());
        Assert.Equal(MediaProblem.TooLong, e.Kind);
        Assert.Contains("decoding passed the limit of 1 s (MaxDuration)", e.Message);
        Assert.InRange(reader.SourceFramesRead, 44100, 44100 + 4096);
    }

    [Fact]
    public void Blocks_concatenate_to_the_one_shot_decode_and_report_progress()
    {
        string ogg = Ffmpeg.Encode(_dir, "a.ogg", TestMedia.ToneAndNoise(44100, 1.7), "-c:a", "libvorbis");
        var options = new AudioDecodeOptions { SampleRate = 16000, BlockFrames = 3000 };
        AudioBuffer whole = AudioDecoder.Decode(ogg, options);
        using MediaAudioReader reader = AudioDecoder.Open(ogg, options);
        var left = new List<float>();
        int blocks = 0;
        foreach (AudioBuffer block in reader.ReadBlocks())
        {
            Assert.Equal((16000, 2), (block.SampleRate, block.ChannelCount));
            left.AddRange(block.Channels[0]);
            blocks++;
        }
        Assert.True(blocks >= 20, $"{blocks} blocks");
        Assert.Equal(whole.Channels[0], left);
        Assert.Equal(whole.FrameCount, reader.FramesRead);
        Assert.Equal(reader.DeclaredSourceFrames, reader.SourceFramesRead);
    }

    [Fact]
    public void Cancelling_stops_the_decode()
    {
        string flac = Ffmpeg.Encode(_dir, "a.flac", TestMedia.ToneAndNoise(44100, 3), "-c:a", "flac");
        using var cancel = new CancellationTokenSource();
        using MediaAudioReader reader = AudioDecoder.Open(flac, new AudioDecodeOptions { BlockFrames = 1024 }, cancel.Token);
        Assert.NotNull(reader.ReadBlock());
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => { while (reader.ReadBlock() is not null) { } });
    }

    private static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v * (double)v;
        return Math.Sqrt(sum / x.Length);
    }

    private static double RmsDifference(float[] a, float[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (a[i] - b[i]) * (double)(a[i] - b[i]);
        return Math.Sqrt(sum / n);
    }

    // Lossy codecs may shift the signal by their priming delay: compare at the best lag within ±30 ms
    // (over 4000 samples from the middle, which is plenty for a steady tone).
    private static double BestAlignedRms(float[] expected, float[] actual, int n)
    {
        int start = n / 2 - 2000;
        double best = double.MaxValue;
        for (int lag = -720; lag <= 720; lag++)
        {
            double sum = 0;
            for (int i = start; i < start + 4000; i++)
            {
                double d = expected[i] - actual[i + lag];
                sum += d * d;
            }
            best = Math.Min(best, Math.Sqrt(sum / 4000));
        }
        return best;
    }
}
