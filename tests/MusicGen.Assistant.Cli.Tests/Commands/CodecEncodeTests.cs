using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Tests.Commands;

public sealed class CodecEncodeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model = ConvertedFixtures.TinyModel;

    // the fixture codec behind _model: its rate, hop, codebook size and codebooks at its first bandwidth
    private static readonly Models.Encodec.EncodecConfig Codec = FixtureModelSet.Codec(MusicGen.Assistant.Testing.FixtureSet.ByName("musicgen-tiny"));
    private static int Rate => Codec.SamplingRate;

    public void Dispose() => _dir.Dispose();

    private CliResult Encode(string wav, string codes, params string[] extra) =>
        Mga.Run(["codec", "encode", wav, codes, "--model", _model, .. extra]);

    [Fact]
    public void A_44k1_stereo_file_is_downmixed_and_resampled_like_the_one_shot_path()
    {
        // 6 s: several WAV read blocks and two codec chunks of 250 frames, all read back from the spool file
        const int inRate = 44100, frames = 6 * inRate;
        var tone = TestAudio.Tones(inRate, frames);
        var stereo = TestAudio.Write(_dir.File("stereo.wav"), inRate, WavSampleFormat.Float32, tone, tone);
        var result = Encode(stereo, _dir.File("stereo.codes")).Succeeded();
        Assert.Contains($"downmixed to mono, resampled to {Rate} Hz", result.Out);

        // the same signal resampled in one go and given as mono at the model's rate must give the very same codes
        var mono = TestAudio.Write(_dir.File("mono.wav"), Rate, WavSampleFormat.Float32, Resampler.Resample(tone, inRate, Rate));
        Encode(mono, _dir.File("mono.codes")).Succeeded();

        var fromStereo = AudioCodesFile.Read(_dir.File("stereo.codes"));
        var fromMono = AudioCodesFile.Read(_dir.File("mono.codes"));
        var samples = Resampler.OutputLength(frames, inRate, Rate);
        Assert.Equal(6L * Rate, samples);
        Assert.Equal(samples, fromStereo.Header.SampleCount);
        Assert.Equal((samples + Codec.HopLength - 1) / Codec.HopLength, fromStereo.Header.FrameCount);
        Assert.Equal(new AudioCodesFormat(Rate, Codec.HopLength, Codec.CodebookSize, Codec.QuantizersForBandwidth(), Codec.AudioChannels),
            fromStereo.Header.Format);
        Assert.Equal(fromMono.Codes, fromStereo.Codes);
        // the spool file is gone: only the inputs and outputs remain
        Assert.Equal(["mono.codes", "mono.wav", "stereo.codes", "stereo.wav"], _dir.FileNames());
    }

    [Fact]
    public void Opposite_channels_average_to_the_codes_of_silence()
    {
        const int rate = 22050, frames = 9000; // at 32 kHz: 13061.2 -> 13061 samples, 21 frames of 640
        var tone = TestAudio.Tones(rate, frames);
        var stereo = TestAudio.Write(_dir.File("opp.wav"), rate, WavSampleFormat.Pcm16, tone, tone.Select(x => -x).ToArray());
        Encode(stereo, _dir.File("opp.codes")).Succeeded();
        var resampled = Resampler.OutputLength(frames, rate, Rate);
        var silence = TestAudio.Write(_dir.File("zero.wav"), Rate, WavSampleFormat.Float32, new float[resampled]);
        Encode(silence, _dir.File("zero.codes")).Succeeded();

        var opposite = AudioCodesFile.Read(_dir.File("opp.codes"));
        Assert.Equal((resampled + Codec.HopLength - 1) / Codec.HopLength, opposite.Header.FrameCount);
        Assert.Equal(resampled, opposite.Header.SampleCount);
        Assert.Equal(AudioCodesFile.Read(_dir.File("zero.codes")).Codes, opposite.Codes);
    }

    [Fact]
    public void A_bandwidth_selects_fewer_codebooks()
    {
        // log2(codebook size) bits per codebook per frame: the bandwidth of two codebooks selects two
        var perCodebook = Math.Log2(Codec.CodebookSize) * Codec.FrameRate / 1000;
        Assert.True(Codec.QuantizersForBandwidth() > 2, "the fixture codec must have more than two codebooks for this test");
        var wav = TestAudio.Write(_dir.File("a.wav"), Rate, WavSampleFormat.Float32, TestAudio.Tones(Rate, Rate / 10));
        Encode(wav, _dir.File("a.codes"), "--bandwidth", (2 * perCodebook).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Succeeded();
        Assert.Equal(2, AudioCodesFile.ReadHeader(_dir.File("a.codes")).Format.Codebooks);
    }

    [Fact]
    public void A_missing_input_is_named() =>
        Encode(_dir.File("absent.wav"), _dir.File("x.codes")).FailedWith(1, "input audio", "absent.wav", "does not exist");

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        var result = Encode(_dir.File("absent.wav"), _dir.File("x.codes"), "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: input audio", result.Err);
        Assert.Contains("   at MusicGen.Assistant.Cli.", result.Err);
    }

    [Fact]
    public void A_broken_mp3_is_recognised_as_damaged_mp3_whatever_its_name()
    {
        var mp3 = _dir.File("song.wav");
        File.WriteAllBytes(mp3, [.. "ID3"u8, 4, 0, 0, 0, 0, 0x21, 0x76, .. new byte[64]]);
        Encode(mp3, _dir.File("x.codes")).FailedWith(1, "song.wav", "looks like MP3 (ID3 tag) but ffmpeg cannot read it", "probably truncated or corrupt");
        Assert.Equal(["song.wav"], _dir.FileNames());
    }

    [Fact]
    public void A_missing_model_is_named()
    {
        var wav = TestAudio.Write(_dir.File("a.wav"), 32000, WavSampleFormat.Float32, new float[640]);
        Mga.Run("codec", "encode", wav, _dir.File("a.codes"), "--model", _dir.File("none.gguf")).FailedWith(1, "model", "none.gguf", "does not exist");
    }

    [Fact]
    public void A_gguf_without_an_encodec_is_refused()
    {
        var other = _dir.File("llama.gguf");
        GgufWriter.Write(other, [new("general.architecture", "llama")],
            [("token_embd.weight", GgmlType.F32, [4L], new byte[16])]);
        var wav = TestAudio.Write(_dir.File("a.wav"), 32000, WavSampleFormat.Float32, new float[640]);
        Mga.Run("codec", "encode", wav, _dir.File("a.codes"), "--model", other).FailedWith(1, "llama.gguf", "no EnCodec in this GGUF");
        Assert.DoesNotContain("a.codes", _dir.FileNames());
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_is_created()
    {
        var wav = TestAudio.Write(_dir.File("a.wav"), 32000, WavSampleFormat.Float32, new float[640]);
        Encode(wav, Path.Combine(_dir.Path, "new", "sub", "a.codes")).Succeeded();
        Assert.Equal(1, AudioCodesFile.ReadHeader(Path.Combine(_dir.Path, "new", "sub", "a.codes")).FrameCount);
        File.WriteAllText(_dir.File("file.txt"), "not a folder");
        Encode(wav, _dir.File("file.txt/a.codes")).FailedWith(1, "cannot create the folder");
    }

    [Fact]
    public void An_implausible_sample_rate_is_unsupported()
    {
        var wav = TestAudio.Write(_dir.File("slow.wav"), 800, WavSampleFormat.Pcm16, new float[800]);
        Encode(wav, _dir.File("a.codes")).FailedWith(1, "slow.wav", "800 Hz", "supported input rates are 1000 to 768000 Hz");
    }

    [Fact]
    public void An_empty_wav_is_refused()
    {
        var wav = TestAudio.Write(_dir.File("empty.wav"), 32000, WavSampleFormat.Float32, Array.Empty<float>());
        Encode(wav, _dir.File("a.codes")).FailedWith(1, "empty.wav", "holds no audio");
    }
}
