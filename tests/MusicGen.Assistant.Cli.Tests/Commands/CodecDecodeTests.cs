using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;

namespace MusicGen.Assistant.Cli.Tests.Commands;

public sealed class CodecDecodeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model = ConvertedFixtures.TinyModel;

    // the fixture codec behind _model
    private static readonly Models.Encodec.EncodecConfig Codec = FixtureModelSet.Codec(MusicGen.Assistant.Testing.FixtureSet.ByName("musicgen-tiny"));
    private static int K => Codec.QuantizersForBandwidth();

    public void Dispose() => _dir.Dispose();

    private CliResult Decode(string codes, string wav, params string[] extra) =>
        Mga.Run(["codec", "decode", codes, wav, "--model", _model, .. extra]);

    /// <summary>Codes of the tiny model for 1000 samples: 2 frames (of 640), the second one partly used; the last code the largest.</summary>
    private string ValidCodes(string name = "a.codes")
    {
        var path = _dir.File(name);
        var codes = Enumerable.Range(0, K).Select(q => new[] { (2 * q + 1) % Codec.CodebookSize, (2 * q + 2) % Codec.CodebookSize }).ToArray();
        codes[^1][1] = Codec.CodebookSize - 1;
        Assert.True(1000 > Codec.HopLength && 1000 <= 2 * Codec.HopLength, "1000 samples must take exactly 2 frames of the fixture codec");
        AudioCodesFile.Write(path, new AudioCodesFormat(Codec.SamplingRate, Codec.HopLength, Codec.CodebookSize, K, Codec.AudioChannels), codes, 1000);
        return path;
    }

    [Fact]
    public void Output_is_trimmed_to_the_original_sample_count_in_the_chosen_format()
    {
        var result = Decode(ValidCodes(), _dir.File("a.wav"), "--format", "pcm24").Succeeded();
        Assert.Contains("1000 samples", result.Out);
        var format = WavReader.ReadFormat(_dir.File("a.wav"));
        Assert.Equal((Codec.SamplingRate, 1, WavSampleFormat.Pcm24, 1000L), (format.SampleRate, format.ChannelCount, format.SampleFormat, format.FrameCount));
    }

    [Fact]
    public void Pcm16_and_float_outputs_hold_the_same_audio_up_to_16_bit_rounding()
    {
        var codes = ValidCodes();
        Decode(codes, _dir.File("f.wav")).Succeeded();
        Decode(codes, _dir.File("p.wav"), "--format", "pcm16").Succeeded();
        var f = TestAudio.Read(_dir.File("f.wav")).Channels[0];
        var p = TestAudio.Read(_dir.File("p.wav")).Channels[0];
        Assert.Equal(1000, f.Length);
        for (var i = 0; i < f.Length; i++)
            Assert.Equal(Math.Clamp(f[i], -1f, 32767f / 32768), p[i], 0.5f / 32768 + 1e-7f);
    }

    [Fact]
    public void A_truncated_codes_file_says_how_many_frames_are_missing()
    {
        var codes = ValidCodes();
        var bytes = File.ReadAllBytes(codes);
        File.WriteAllBytes(codes, bytes[..^5]); // 2 frames of 8 bytes -> 1 whole frame left
        Decode(codes, _dir.File("a.wav")).FailedWith(1, "a.codes", "truncated", "header says 2 frames", "holds 1 whole frames");
        Assert.DoesNotContain("a.wav", _dir.FileNames());
    }

    [Fact]
    public void A_wav_given_as_codes_is_not_a_codes_file()
    {
        var wav = TestAudio.Write(_dir.File("in.wav"), 32000, WavSampleFormat.Pcm16, new float[100]);
        Decode(wav, _dir.File("out.wav")).FailedWith(1, "in.wav", "not an audio codes file", "RIFF");
    }

    [Fact]
    public void Codes_of_another_encodec_are_refused_naming_the_differences()
    {
        var codes = _dir.File("big.codes");
        // another rate, a larger codebook and more codebooks than the fixture codec's
        var (rate, size, k) = (Codec.SamplingRate == 24000 ? 16000 : 24000, Codec.CodebookSize * 16, K + 4);
        AudioCodesFile.Write(codes, new AudioCodesFormat(rate, 320, size, k, 1), Enumerable.Repeat(new[] { 1 }, k).ToArray(), 320);
        Decode(codes, _dir.File("out.wav")).FailedWith(1, "big.codes", "was not made by the EnCodec",
            $"sample rate {rate} Hz vs the model's {Codec.SamplingRate} Hz", $"codebook size {size} vs the model's {Codec.CodebookSize}",
            $"{k} codebooks per frame, the model has {K}");
        Assert.Equal(["big.codes"], _dir.FileNames()); // no output, no temporary file left
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error() =>
        Decode(ValidCodes(), _dir.File("a.wav"), "--format", "mp3").FailedWith(2, "mp3");

    [Fact]
    public void The_model_option_is_required() =>
        Mga.Run("codec", "decode", ValidCodes(), _dir.File("a.wav")).FailedWith(2, "--model");
}
