using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>Channel mapping against a small random-weight EnCodec that takes 2 audio channels.</summary>
public sealed class StereoModelTests : IDisposable
{
    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-cli-stereo-").FullName, "stereo-tiny.gguf");
        var config = new EncodecConfig { AudioChannels = 2, NumFilters = 4, HiddenSize = 16, CodebookSize = 64, CodebookDim = 16 };
        GgufConverter.Write(new EncodecRandomPlan(config, seed: 7), path, StorageType.F32, "test");
        return path;
    });

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Mono_input_is_copied_to_both_channels_and_decodes_to_stereo()
    {
        var wav = TestAudio.Write(_dir.File("mono.wav"), 48000, WavSampleFormat.Pcm16, TestAudio.Tones(48000, 4800)); // 0.1 s
        Mga.Run("codec", "encode", wav, _dir.File("s.codes"), "--model", Model.Value).Succeeded();
        var header = AudioCodesFile.ReadHeader(_dir.File("s.codes"));
        Assert.Equal(2, header.Format.Channels);
        Assert.Equal((3200L, 5L), (header.SampleCount, header.FrameCount));

        Mga.Run("codec", "decode", _dir.File("s.codes"), _dir.File("s.wav"), "--model", Model.Value).Succeeded();
        var decoded = TestAudio.Read(_dir.File("s.wav"));
        Assert.Equal((2, 3200), (decoded.ChannelCount, decoded.FrameCount));
    }

    [Fact]
    public void Six_channels_cannot_be_mapped_to_two()
    {
        var six = Enumerable.Range(0, 6).Select(c => TestAudio.Tones(32000, 640, c)).ToArray();
        var wav = TestAudio.Write(_dir.File("surround.wav"), 32000, WavSampleFormat.Float32, six);
        Mga.Run("codec", "encode", wav, _dir.File("x.codes"), "--model", Model.Value)
            .FailedWith(1, "surround.wav", "has 6 channels; this EnCodec takes 2");
    }

    [Fact]
    public void Mono_codes_do_not_decode_with_a_stereo_model()
    {
        var codes = _dir.File("mono.codes");
        AudioCodesFile.Write(codes, new AudioCodesFormat(32000, 640, 64, 4, 1), [[1], [2], [3], [4]], 640);
        Mga.Run("codec", "decode", codes, _dir.File("x.wav"), "--model", Model.Value)
            .FailedWith(1, "1 audio channel(s) vs the model's 2");
    }
}
