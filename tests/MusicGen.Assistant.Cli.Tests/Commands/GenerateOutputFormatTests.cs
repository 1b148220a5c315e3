using MusicGen.Assistant.Audio.Loudness;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary><c>mga generate --out</c> in other formats, and <c>--loudness</c>, on the UNTRAINED demo set.</summary>
public sealed class GenerateOutputFormatTests : IDisposable
{
    private const string Prompt = "lo-fi hip hop beat with warm piano";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private CliResult Generate(string output, params string[] extra) =>
        Mga.Run(["generate", Prompt, "--duration", "1", "--seed", "4", "--out", _dir.File(output), .. extra]);

    [Fact]
    public void Flac_and_mp3_hold_what_the_wav_holds()
    {
        Generate("a.wav").Succeeded();
        var flacRun = Generate("a.flac").Succeeded();
        var mp3Run = Generate("a.mp3").Succeeded();
        Assert.Contains("32000 Hz, mono, 24-bit FLAC", flacRun.Out);
        Assert.Contains("MP3 (LAME VBR", mp3Run.Out);

        var wav = TestAudio.Read(_dir.File("a.wav"));
        var flac = AudioDecoder.Decode(_dir.File("a.flac"));
        var mp3 = AudioDecoder.Decode(_dir.File("a.mp3"));
        Assert.Equal((32000, 1, 32000), (flac.SampleRate, flac.ChannelCount, flac.FrameCount));
        Assert.Equal((32000, 1, 32000), (mp3.SampleRate, mp3.ChannelCount, mp3.FrameCount));
        // the float samples rounded (and clipped) to 24 bits exactly as a 24-bit WAV stores them
        var pcm24 = TestAudio.Read(TestAudio.Write(_dir.File("a24.wav"), 32000, WavSampleFormat.Pcm24, wav.Channels));
        Assert.Equal(pcm24.Channels, flac.Channels);
        Assert.Equal(["a.flac", "a.mp3", "a.wav", "a24.wav"], _dir.FileNames()); // no temporary files left
    }

    [Fact]
    public void Loudness_normalizes_the_output_to_the_target()
    {
        var result = Generate("quiet.wav", "--loudness", "-14").Succeeded();
        Assert.Matches(@"loudness +-?[\d.]+ LUFS -> -14\.0 LUFS \(gain [+-][\d.]+ dB, peak -?[\d.]+ dB\)", result.Out);
        var measured = LoudnessMeter.Measure(TestAudio.Read(_dir.File("quiet.wav")));
        Assert.Equal(-14, measured.IntegratedLufs, 0.01);
        Assert.True(measured.PeakDb <= -1 + 1e-3, $"true peak {measured.PeakDb} dB");
    }

    [Fact]
    public void A_target_too_loud_for_the_peaks_is_held_at_the_minus_1_dB_ceiling()
    {
        var result = Generate("loud.wav", "--loudness", "-2").Succeeded();
        Assert.Contains("held by the -1.0 dB peak ceiling", result.Out);
        var measured = LoudnessMeter.Measure(TestAudio.Read(_dir.File("loud.wav")));
        Assert.Equal(-1, measured.PeakDb, 0.01);
        Assert.True(measured.IntegratedLufs < -2);
        Assert.All(TestAudio.Read(_dir.File("loud.wav")).Channels[0], x => Assert.True(Math.Abs(x) < 1f));
    }

    [Fact]
    public void A_flac_prompt_to_continue_gives_what_the_wav_with_the_same_samples_gives()
    {
        var wav = TestAudio.Write(_dir.File("prompt.wav"), 32000, WavSampleFormat.Pcm16, TestAudio.Tones(32000, 16000));
        AudioFileWriter.Write(_dir.File("prompt.flac"), TestAudio.Read(wav), new AudioEncodeOptions { FlacBits = 16 });
        Generate("from-wav.wav", "--continue", wav, "--greedy").Succeeded();
        var result = Generate("from-flac.wav", "--continue", _dir.File("prompt.flac"), "--greedy").Succeeded();
        Assert.Contains("0.50 s (25 frames), kept as the start of the result", result.Out);
        Assert.Equal(File.ReadAllBytes(_dir.File("from-wav.wav")), File.ReadAllBytes(_dir.File("from-flac.wav")));
    }

    [Fact]
    public void An_unknown_extension_is_a_usage_error_before_any_work()
    {
        Generate("song.aiff").FailedWith(2, "'.aiff' is not an audio format", ".wav, .mp3, .flac, .ogg");
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void A_loudness_outside_minus_70_to_0_is_refused()
    {
        Generate("a.wav", "--loudness", "3").FailedWith(2, "--loudness must be between -70 and 0 LUFS");
    }
}
