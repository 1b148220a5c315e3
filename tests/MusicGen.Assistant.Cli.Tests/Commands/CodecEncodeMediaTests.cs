using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary><c>mga codec encode</c> on compressed media: decoded through ffmpeg, then the same path as WAV.</summary>
public sealed class CodecEncodeMediaTests : IDisposable
{
    private const int Rate = 44100, Frames = 3 * Rate;

    private readonly TempDirectory _dir = new();
    private readonly string _model = ConvertedFixtures.TinyModel;

    // the fixture codec's rate, the rate everything is resampled to
    private static readonly int ModelRate = FixtureModelSet.Codec(MusicGen.Assistant.Testing.FixtureSet.ByName("musicgen-tiny")).SamplingRate;

    public void Dispose() => _dir.Dispose();

    private CliResult Encode(string input, string codes) => Mga.Run("codec", "encode", input, codes, "--model", _model);

    private AudioBuffer Stereo()
    {
        var tone = TestAudio.Tones(Rate, Frames);
        var other = TestAudio.Tones(Rate, Frames, phase: 1);
        // through a 16-bit WAV, so a lossless 16-bit file holds exactly these samples
        return TestAudio.Read(TestAudio.Write(_dir.File("q.wav"), Rate, WavSampleFormat.Pcm16, tone, other));
    }

    [Fact]
    public void A_flac_file_gives_the_very_codes_of_the_wav_with_the_same_samples()
    {
        var audio = Stereo();
        AudioFileWriter.Write(_dir.File("song.flac"), audio, new AudioEncodeOptions { FlacBits = 16 });
        var flac = Encode(_dir.File("song.flac"), _dir.File("flac.codes")).Succeeded();
        Encode(_dir.File("q.wav"), _dir.File("wav.codes")).Succeeded();

        Assert.Matches($@"input +flac, 44100 Hz, 2 ch, 3\.00 s \(downmixed to mono, resampled to {ModelRate} Hz\)", flac.Out);
        var fromFlac = AudioCodesFile.Read(_dir.File("flac.codes"));
        Assert.Equal(Resampler.OutputLength(Frames, Rate, ModelRate), fromFlac.Header.SampleCount);
        Assert.Equal(AudioCodesFile.Read(_dir.File("wav.codes")).Codes, fromFlac.Codes);
        Assert.Equal(["flac.codes", "q.wav", "song.flac", "wav.codes"], _dir.FileNames()); // no spool left
    }

    [Fact]
    public void An_mp3_file_is_encoded_at_its_decoded_length()
    {
        AudioFileWriter.Write(_dir.File("song.mp3"), Stereo());
        var result = Encode(_dir.File("song.mp3"), _dir.File("mp3.codes")).Succeeded();
        Assert.Matches(@"input +mp3, 44100 Hz, 2 ch", result.Out);
        // ffmpeg's LAME header restores the exact length, so the codes cover exactly the resampled source
        Assert.Equal(Resampler.OutputLength(Frames, Rate, ModelRate), AudioCodesFile.ReadHeader(_dir.File("mp3.codes")).SampleCount);
    }

    [Fact]
    public void A_text_file_is_not_media_and_nothing_is_written()
    {
        File.WriteAllText(_dir.File("notes.mp3"), "these are my notes\n");
        Encode(_dir.File("notes.mp3"), _dir.File("x.codes")).FailedWith(1, "notes.mp3", "not a media file ffmpeg can read (looks like text");
        Assert.Equal(["notes.mp3"], _dir.FileNames());
    }

    [Fact]
    public void A_truncated_flac_is_named_as_truncated()
    {
        AudioFileWriter.Write(_dir.File("full.flac"), Stereo());
        var bytes = File.ReadAllBytes(_dir.File("full.flac"));
        File.WriteAllBytes(_dir.File("cut.flac"), bytes[..(bytes.Length / 2)]);
        Encode(_dir.File("cut.flac"), _dir.File("x.codes")).FailedWith(1, "cut.flac", "the file declares 3 s", "probably truncated");
        Assert.DoesNotContain("x.codes", _dir.FileNames());
    }
}
