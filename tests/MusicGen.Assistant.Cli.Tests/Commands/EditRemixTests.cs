using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga edit remix</c> and the lengthening edits on the converted musicgen-melody-tiny checkpoint: a remix is the
/// track's melody with a new description, as long as the track; a text-only model set is refused.
/// </summary>
public sealed class EditRemixTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FixtureSet Melody => FixtureSet.ByName("musicgen-melody-tiny");

    private string MelodyManifest()
    {
        var gguf = ConvertedFixtures.Gguf(Melody);
        var path = Path.Combine(_dir.Path, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, new ModelSetManifest
        {
            Name = "musicgen-melody-tiny fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf, TokenizerPath = FixtureModelSet.TokenizerPath,
        });
        return path;
    }

    private string Tune() => TestAudio.Write(_dir.File("tune.wav"), 32000, WavSampleFormat.Float32,
        Melody.Vector("chroma_input_waveform_0").Values().Select(x => (float)x).ToArray());

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_remix_is_generate_with_the_track_as_melody_and_its_length()
    {
        var manifest = MelodyManifest();
        var tune = Tune();
        var codec = FixtureModelSet.Codec(Melody);
        var seconds = new FileInfo(tune).Length > 0 ? TestAudio.Read(tune).FrameCount / (double)codec.SamplingRate : 0;
        Mga.Run("edit", "remix", tune, "string quartet", "--greedy", "--model", manifest, "--out", _dir.File("remix.wav")).Succeeded();
        Mga.Run("generate", "string quartet", "--melody", tune, "--greedy", "--model", manifest,
            "--duration", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", _dir.File("generated.wav")).Succeeded();
        Assert.Equal(Hash(_dir.File("generated.wav")), Hash(_dir.File("remix.wav")));
        Assert.Equal((int)(seconds * codec.FrameRate) * codec.HopLength, TestAudio.Read(_dir.File("remix.wav")).FrameCount);
    }

    [Fact]
    public void A_remix_needs_a_melody_model_and_a_description_and_keeps_the_track()
    {
        var tune = Tune();
        var before = Hash(tune);
        Mga.Run("edit", "remix", tune, "string quartet", "--model", FixtureModelSet.WriteManifest(_dir.Path), "--out", _dir.File("x.wav"))
            .FailedWith(2, "melody");
        Mga.Run("edit", "remix", tune, " ", "--model", MelodyManifest(), "--out", _dir.File("x.wav")).FailedWith(2, "the description is empty");
        Mga.Run("edit", "remix", tune, "string quartet", "--model", MelodyManifest(), "--out", tune).FailedWith(2, "is the track itself");
        Assert.Equal(before, Hash(tune));
        Assert.False(File.Exists(_dir.File("x.wav")));
    }

    [Fact]
    public void A_melody_model_continues_a_track_without_a_description()
    {
        var tune = Tune();
        var samples = TestAudio.Read(tune).Channels[0];
        Mga.Run("edit", "continue", tune, "--seconds", "0.2", "--seed", "2", "--model", MelodyManifest(), "--out", _dir.File("c.wav")).Succeeded();
        var edited = TestAudio.Read(_dir.File("c.wav")).Channels[0];
        var codec = FixtureModelSet.Codec(Melody);
        var seam = (int)(0.05 * codec.SamplingRate); // the crossfade's 50 ms
        Assert.Equal(samples.Length + (int)Math.Round(0.2 * codec.FrameRate) * codec.HopLength, edited.Length);
        Assert.Equal(samples.AsSpan(0, samples.Length - seam).ToArray(), edited.AsSpan(0, samples.Length - seam).ToArray());
    }
}
