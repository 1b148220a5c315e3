using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Tests.Media;

public sealed class AudioFileWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] Files() => Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order().ToArray()!;

    [Theory]
    [InlineData(24, WavSampleFormat.Pcm24, "s32 (24 bit)")]
    [InlineData(16, WavSampleFormat.Pcm16, "s16")]
    public void Flac_round_trips_to_exactly_the_samples_a_pcm_wav_of_that_depth_holds(int bits, WavSampleFormat pcm, string described)
    {
        AudioBuffer input = TestMedia.ToneAndNoise(32000, 1.2);
        Assert.Equal(AudioFileFormat.Flac, AudioFileWriter.Write(_dir.File("a.flac"), input, new AudioEncodeOptions { FlacBits = bits }));
        AudioBuffer read = AudioDecoder.Decode(_dir.File("a.flac"));
        Assert.Equal((32000, 2, input.FrameCount), (read.SampleRate, read.ChannelCount, read.FrameCount));
        Assert.Contains($"flac, 32000 Hz, stereo, {described}", Ffmpeg.Run("-loglevel", "info", "-i", _dir.File("a.flac"), "-f", "null", "-"));
        Assert.Equal(["a.flac"], Files()); // no temporary file left beside it

        // rounded to nearest like our WAV writer (ffmpeg alone would truncate): within half a step, and bit-identical
        WavWriter.Write(_dir.File("a.wav"), input, pcm);
        Assert.Equal(WavReader.Read(_dir.File("a.wav")).Channels, read.Channels);
        double halfStep = Math.Pow(2, -bits);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < input.FrameCount; i++)
                Assert.True(Math.Abs(input.Channels[c][i] - read.Channels[c][i]) <= halfStep, $"channel {c} frame {i}");
    }

    [Fact]
    public void Mp3_decodes_back_to_the_same_length_rate_and_channels()
    {
        AudioBuffer input = TestMedia.ToneAndNoise(32000, 2);
        AudioFileWriter.Write(_dir.File("a.mp3"), input);
        AudioBuffer read = AudioDecoder.Decode(_dir.File("a.mp3"));
        Assert.Equal((32000, 2, input.FrameCount), (read.SampleRate, read.ChannelCount, read.FrameCount));
        Assert.True(Correlation(input.Channels[0], read.Channels[0]) > 0.999, "the tone does not survive MP3 encoding");
        Assert.Contains("mp3", MediaProbe.Probe(_dir.File("a.mp3")).FormatName);
    }

    [Fact]
    public void Ogg_vorbis_decodes_back_to_the_same_length()
    {
        AudioBuffer input = TestMedia.ToneAndNoise(44100, 1);
        AudioFileWriter.Write(_dir.File("a.ogg"), input);
        AudioBuffer read = AudioDecoder.Decode(_dir.File("a.ogg"));
        Assert.Equal((44100, 2, input.FrameCount), (read.SampleRate, read.ChannelCount, read.FrameCount));
        Assert.Equal("vorbis", Assert.Single(MediaProbe.Probe(_dir.File("a.ogg")).AudioStreams).Codec);
        Assert.True(Correlation(input.Channels[0], read.Channels[0]) > 0.999);
    }

    [Fact]
    public void The_extension_picks_the_format_in_any_case_and_an_explicit_format_wins()
    {
        AudioBuffer input = TestMedia.ToneAndNoise(16000, 0.3);
        Assert.Equal(AudioFileFormat.Mp3, AudioFileWriter.Write(_dir.File("UP.MP3"), input));
        Assert.Equal(AudioFileFormat.Wav, AudioFileWriter.Write(_dir.File("a.wav"), input, new AudioEncodeOptions { WavSampleFormat = WavSampleFormat.Pcm16 }));
        Assert.Equal(WavSampleFormat.Pcm16, WavReader.ReadFormat(_dir.File("a.wav")).SampleFormat);
        AudioFileWriter.Write(_dir.File("flac.bin"), input, new AudioEncodeOptions { Format = AudioFileFormat.Flac });
        Assert.Contains("flac", MediaProbe.Probe(_dir.File("flac.bin")).FormatName);
    }

    [Fact]
    public void An_unknown_extension_names_the_supported_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => AudioFileWriter.Write(_dir.File("a.aiff"), TestMedia.ToneAndNoise(16000, 0.1)));
        Assert.Contains("'.aiff'", e.Message);
        Assert.Contains(".wav, .mp3, .flac, .ogg", e.Message);
        Assert.Empty(Files());
    }

    [Fact]
    public void Mp3_refuses_a_rate_and_channel_count_it_cannot_hold()
    {
        var e = Assert.Throws<ArgumentException>(() => AudioFileWriter.Write(_dir.File("a.mp3"), TestMedia.ToneAndNoise(96000, 0.1)));
        Assert.Contains("MP3 cannot be written at 96000 Hz", e.Message);
        var three = new AudioBuffer(48000, 3, 100);
        Assert.Contains("MP3 holds 1 or 2 channels, not 3", Assert.Throws<ArgumentException>(() => AudioFileWriter.Write(_dir.File("b.mp3"), three)).Message);
        Assert.Empty(Files());
    }

    [Fact]
    public void A_failing_encode_quotes_ffmpeg_and_leaves_the_existing_file_untouched()
    {
        string target = _dir.Write("keep.flac", [1, 2, 3]);
        // FLAC cannot store 700 kHz: ffmpeg itself refuses
        var e = Assert.Throws<MediaFormatException>(() =>
            AudioFileWriter.Write(target, new AudioBuffer(700_000, [Signals.Sine(1000, 700_000, 70_000)])));
        Assert.Equal(MediaProblem.EncodeFailed, e.Kind);
        Assert.Contains("keep.flac", e.Message);
        Assert.Contains("700000 Hz not supported", e.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(target));
        Assert.Equal(["keep.flac"], Files());
    }

    [Fact]
    public void Cancelling_or_abandoning_a_writer_leaves_nothing_behind()
    {
        string existing = _dir.Write("song.ogg", [9, 9]);
        AudioBuffer block = TestMedia.ToneAndNoise(44100, 0.5);
        using (var cancel = new CancellationTokenSource())
        {
            using var writer = FfmpegAudioWriter.Open(existing, AudioFileFormat.Ogg, 44100, 2, cancellation: cancel.Token);
            writer.Write(block);
            cancel.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                for (int i = 0; i < 1000; i++) writer.Write(block); // the killed ffmpeg stops taking input
                writer.Complete();
            });
        }
        using (var writer = FfmpegAudioWriter.Open(_dir.File("other.mp3"), AudioFileFormat.Mp3, 44100, 2))
            writer.Write(block); // disposed without Complete: discarded
        Assert.Equal([9, 9], File.ReadAllBytes(existing));
        Assert.Equal(["song.ogg"], Files());
    }

    [Fact]
    public void A_streamed_write_equals_the_one_shot_write()
    {
        AudioBuffer input = TestMedia.ToneAndNoise(48000, 1);
        AudioFileWriter.Write(_dir.File("one.flac"), input);
        using (var writer = FfmpegAudioWriter.Open(_dir.File("blocks.flac"), AudioFileFormat.Flac, 48000, 2))
        {
            for (int start = 0; start < input.FrameCount; start += 7000)
                writer.Write(input.Slice(start, Math.Min(7000, input.FrameCount - start)));
            writer.Complete();
            Assert.Equal(input.FrameCount, writer.FramesWritten);
        }
        Assert.Equal(AudioDecoder.Decode(_dir.File("one.flac")).Channels, AudioDecoder.Decode(_dir.File("blocks.flac")).Channels);
    }

    [Fact]
    public void NaN_samples_are_refused()
    {
        var audio = new AudioBuffer(44100, [new float[] { 0, float.NaN, 0 }]);
        var e = Assert.Throws<ArgumentException>(() => AudioFileWriter.Write(_dir.File("nan.mp3"), audio));
        Assert.Contains("frame 1 is NaN", e.Message);
        Assert.Empty(Files());
    }

    private static double Correlation(float[] a, float[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < n; i++) (ab, aa, bb) = (ab + a[i] * (double)b[i], aa + a[i] * (double)a[i], bb + b[i] * (double)b[i]);
        return ab / Math.Sqrt(aa * bb);
    }
}
