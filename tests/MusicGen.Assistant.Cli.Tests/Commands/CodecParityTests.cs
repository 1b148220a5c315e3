using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// The whole command-line path against the PyTorch reference, for every fixture set with mono EnCodec vectors:
/// <c>mga convert</c> -> WAV file -> <c>mga codec encode</c> -> codes file (codes exact) -> <c>mga codec decode</c>
/// -> WAV file (within the vector's tolerance).
/// </summary>
[Trait("Category", "Parity")]
public class CodecParityTests
{
    private const string Input = "encodec_input_values", Codes = "encodec_audio_codes", Decoded = "encodec_decoded_audio_values";

    public static TheoryData<string> Sets()
    {
        var data = new TheoryData<string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
        {
            var names = set.Vectors.Select(v => v.Name).ToHashSet();
            if (names.Contains(Input) && names.Contains(Codes) && names.Contains(Decoded) && set.Vector(Input).Shape is [_, 1, _])
                data.Add(set.Name);
        }
        return data;
    }

    [Fact]
    public void The_fixtures_hold_at_least_one_mono_encodec_set() =>
        Assert.Contains("musicgen-tiny", ((IEnumerable<object[]>)Sets()).Select(row => (string)row[0]));

    [Theory]
    [MemberData(nameof(Sets))]
    public void Encode_and_decode_through_files_match_the_reference(string setName)
    {
        var set = FixtureSet.ByName(setName);
        var model = ConvertedFixtures.Gguf(set);
        var rate = ConvertedFixtures.ConfigOf(model).SamplingRate;
        var input = set.Vector(Input);
        var (batch, length) = ((int)input.Shape[0], (int)input.Shape[2]);
        var waveforms = input.Values();

        using var dir = new TempDirectory();
        var codes = new List<AudioCodes>();
        var decoded = new List<double>();
        for (var b = 0; b < batch; b++)
        {
            var item = waveforms.Skip(b * length).Take(length).Select(x => (float)x).ToArray();
            var wav = TestAudio.Write(dir.File($"in{b}.wav"), rate, WavSampleFormat.Float32, item);
            Mga.Run("codec", "encode", wav, dir.File($"item{b}.codes"), "--model", model).Succeeded();
            codes.Add(AudioCodesFile.Read(dir.File($"item{b}.codes")));
            Mga.Run("codec", "decode", dir.File($"item{b}.codes"), dir.File($"out{b}.wav"), "--model", model).Succeeded();
            var audio = TestAudio.Read(dir.File($"out{b}.wav"));
            Assert.Equal(rate, audio.SampleRate);
            decoded.AddRange(audio.Channels[0].Select(x => (double)x));
        }

        // codes [1, B, K, T], exact
        var k = codes[0].Codes.Length;
        var t = codes[0].Codes[0].Length;
        Assert.All(codes, c => Assert.Equal(length, c.Header.SampleCount));
        ToleranceAssert.Matches(set.Vector(Codes), codes.SelectMany(c => c.Codes.SelectMany(q => q.Select(x => (double)x))).ToArray(), [1, batch, k, t]);
        // audio [B, 1, L], trimmed to the original length by the decoder
        ToleranceAssert.Matches(set.Vector(Decoded), decoded, [batch, 1, decoded.Count / batch]);
    }
}
