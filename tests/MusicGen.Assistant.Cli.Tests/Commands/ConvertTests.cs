using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Testing;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Cli.Tests.Commands;

public sealed class ConvertTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static FixtureSet Tiny => FixtureSet.ByName("musicgen-tiny");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Convert_prints_tensor_counts_and_size_and_writes_every_part_of_a_musicgen_checkpoint()
    {
        var result = Mga.Run("convert", Tiny.Directory, _dir.File("t.gguf"), "--type", "f16").Succeeded();
        using var file = GgufFile.Open(_dir.File("t.gguf"));
        var f16 = file.Tensors.Count(t => t.Type.ToString() == "F16");
        var f32 = file.Tensors.Count(t => t.Type.ToString() == "F32");
        Assert.True(f16 > 0 && f32 > 0, $"{f16} f16, {f32} f32 tensors");
        Assert.Contains($"tensors     {file.Tensors.Count} (f16: {f16}, f32: {f32})", result.Out);
        Assert.Contains($"file size   ", result.Out);
        // a whole MusicGen checkpoint is one GGUF: text encoder, decoder LM and codec, with nothing left to note
        foreach (var prefix in new[] { "t5.", "musicgen.", "encodec." })
            Assert.Contains(file.Tensors, t => t.Name.StartsWith(prefix, StringComparison.Ordinal));
        Assert.DoesNotContain("note", result.Out);
        Assert.Contains($"convert: {file.Tensors.Count}/{file.Tensors.Count} tensors done", result.Err);
    }

    /// <summary>
    /// The reference codes of musicgen-tiny decoded with f16 / q8_0 / q4_0 weights, compared with the f32 decode.
    /// Measured relative RMS errors (ggml 0.25.1 CPU, AVX512 machine): f16 8.9e-4, q8_0 1.2e-2, q4_0 1.3e-1 (on the CPU
    /// a q8_0/q4_0 matmul also rounds its activations to 8 bits, and the LSTM and ~20 convolutions compound it). The
    /// bounds leave about 4-5x headroom.
    /// </summary>
    [Theory]
    [InlineData("f16", 5e-3)]
    [InlineData("q8_0", 5e-2)]
    [InlineData("q4_0", 0.5)]
    public void Quantized_models_load_and_decode_close_to_f32(string type, double bound)
    {
        var codes = _dir.File("ref.codes");
        var reference = Tiny.Vector("encodec_audio_codes"); // [1, batch, K, frames]: take item 0
        var (k, frames) = ((int)reference.Shape[2], (int)reference.Shape[3]);
        var values = reference.Values();
        var perCodebook = Enumerable.Range(0, k).Select(q => values.Skip(q * frames).Take(frames).Select(x => (int)x).ToArray()).ToArray();
        var codec = FixtureModelSet.Codec(Tiny);
        AudioCodesFile.Write(codes, new AudioCodesFormat(codec.SamplingRate, codec.HopLength, codec.CodebookSize, k, codec.AudioChannels), perCodebook,
            Tiny.Vector("encodec_input_values").Shape[^1]);

        Mga.Run("codec", "decode", codes, _dir.File("f32.wav"), "--model", ConvertedFixtures.Gguf(Tiny)).Succeeded();
        Mga.Run("codec", "decode", codes, _dir.File($"{type}.wav"), "--model", ConvertedFixtures.Gguf(Tiny, type)).Succeeded();
        var exact = TestAudio.Read(_dir.File("f32.wav")).Channels[0];
        var quantized = TestAudio.Read(_dir.File($"{type}.wav")).Channels[0];
        var error = TestAudio.RelativeRmsError(quantized, exact);
        log.WriteLine($"{type}: relative RMS error {error:E2} (bound {bound})");
        Assert.True(error < bound, $"{type}: relative RMS error {error} >= {bound}");
        Assert.True(error > 0, $"{type}: identical to f32, so the weights were not stored as {type}");
    }

    [Fact]
    public void A_missing_checkpoint_folder_is_named() =>
        Mga.Run("convert", _dir.File("nothing"), _dir.File("x.gguf")).FailedWith(1, "checkpoint folder", "nothing", "does not exist");

    [Fact]
    public void A_folder_without_config_json_says_what_is_expected()
    {
        Directory.CreateDirectory(_dir.File("empty"));
        Mga.Run("convert", _dir.File("empty"), _dir.File("x.gguf")).FailedWith(1, "empty");
        Assert.DoesNotContain("x.gguf", _dir.FileNames());
    }

    [Fact]
    public void An_unknown_type_is_a_usage_error() =>
        Mga.Run("convert", Tiny.Directory, _dir.File("x.gguf"), "--type", "q5_k").FailedWith(2, "q5_k");
}
