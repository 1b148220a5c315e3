using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga generate --melody FILE</c> on the converted musicgen-melody-tiny checkpoint: greedy generation of the
/// fixture's first prompt with its first melody reproduces transformers' audio; mp3 melodies, melody-only and
/// text-only runs and long-form windows work; a melody for a text-only model is refused before anything loads.
/// </summary>
public class GenerateMelodyTests
{
    private const string Prompt = "90s rock song with loud guitars and heavy drums, 120 bpm";

    private static FixtureSet Melody => FixtureSet.ByName("musicgen-melody-tiny");

    private static string WriteManifest(string folder)
    {
        var gguf = ConvertedFixtures.Gguf(Melody);
        var path = Path.Combine(folder, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, new ModelSetManifest
        {
            Name = "musicgen-melody-tiny fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf, TokenizerPath = FixtureModelSet.TokenizerPath,
            Defaults = new GenerationDefaults(),
        });
        return path;
    }

    // the fixture's first melody: 0.5 s of C4 E4 G4 C5 A4 at 32 kHz
    private static float[] Tune() => Melody.Vector("chroma_input_waveform_0").Values().Select(x => (float)x).ToArray();

    [Fact]
    [Trait("Category", "Parity")]
    public void Greedy_generation_with_the_first_fixture_melody_matches_transformers_audio()
    {
        // row 0 of the fixture batch: this prompt unpadded (as our tokenizer encodes it, + eos) and the unpadded melody
        var ids = Melody.Vector("gen_text_input_ids");
        var length = (int)ids.Shape[1];
        Assert.All(Melody.Vector("gen_text_attention_mask").Values().Take(length), m => Assert.Equal(1.0, m));
        var encoded = new T5TextEncoding(SentencePieceTokenizer.Load(FixtureModelSet.TokenizerPath)).EncodeBatch([Prompt]);
        Assert.Equal(ids.Values().Take(length).Select(x => (int)x).ToArray(), encoded.InputIds);

        using var dir = new TempDirectory();
        var tune = TestAudio.Write(dir.File("tune.wav"), 32000, WavSampleFormat.Float32, Tune());
        var result = Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--melody", tune, "--greedy", "--cfg", "3",
            "--duration", "0.34", "--out", dir.File("melody.wav")).Succeeded();
        Assert.Contains("melody", result.Out);
        Assert.Contains("tune.wav", result.Out);

        var audio = TestAudio.Read(dir.File("melody.wav"));
        var reference = Melody.Vector("gen_audio_values"); // [2, 1, 10880]: item 0 is this prompt and melody
        var samples = (int)reference.Shape[2];
        Assert.Equal((32000, 1, samples), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        var expected = reference.Values();
        var tolerance = reference.Tolerance!;
        var worst = 0.0;
        for (var i = 0; i < samples; i++)
            worst = Math.Max(worst, Math.Abs(audio.Channels[0][i] - expected[i]) - (tolerance.Atol + tolerance.Rtol * Math.Abs(expected[i])));
        Assert.True(worst <= 0, $"generated audio exceeds the fixture's tolerance ({tolerance}) by up to {worst}");

        // the melody matters: the same prompt without it (the null melody) gives other audio
        Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--greedy", "--cfg", "3", "--duration", "0.34",
            "--out", dir.File("plain.wav")).Succeeded();
        Assert.True(TestAudio.RelativeRmsError(TestAudio.Read(dir.File("plain.wav")).Channels[0], audio.Channels[0]) > 1e-3);
    }

    [Fact]
    public void An_mp3_melody_is_decoded_and_the_melody_alone_can_condition_the_music()
    {
        using var dir = new TempDirectory();
        var mp3 = dir.File("tune.mp3");
        AudioFileWriter.Write(mp3, new AudioBuffer(32000, [Tune()]));
        var result = Mga.Run("generate", "--model", WriteManifest(dir.Path), "--melody", mp3, "--greedy", "--duration", "0.3",
            "--out", dir.File("a.wav")).Succeeded();
        Assert.Contains("(no text)", result.Out);
        Assert.Contains("tune.mp3", result.Out);
        Assert.Equal(15 * 640, TestAudio.Read(dir.File("a.wav")).FrameCount);
    }

    [Fact]
    public void A_long_track_follows_the_melody_window_by_window()
    {
        // 128 positions - (8 chroma + 22 text) prefix - 3 = 95-frame windows, so 2.5 s (125 frames) needs two
        using var dir = new TempDirectory();
        var tune = TestAudio.Write(dir.File("tune.wav"), 32000, WavSampleFormat.Float32, Tune());
        var result = Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--melody", tune, "--duration", "2.5", "--seed", "3",
            "--out", dir.File("long.wav")).Succeeded();
        Assert.Contains("125 frames at 50 Hz in 2 windows", result.Out);
        Assert.Equal(125 * 640, TestAudio.Read(dir.File("long.wav")).FrameCount);
    }

    [Fact]
    public void A_melody_for_a_text_only_model_or_a_missing_melody_is_refused_before_any_work()
    {
        using var dir = new TempDirectory();
        var tune = TestAudio.Write(dir.File("tune.wav"), 32000, WavSampleFormat.Float32, Tune());
        Mga.Run("generate", "x", "--model", FixtureModelSet.WriteManifest(dir.Path), "--melody", tune, "--out", dir.File("a.wav"))
            .FailedWith(2, "--melody needs a MusicGen-Melody model", "musicgen-tiny fixture");
        Mga.Run("generate", "x", "--melody", dir.File("missing.mp3"), "--out", dir.File("a.wav"))
            .FailedWith(1, "melody (--melody)", "missing.mp3' does not exist");
        File.WriteAllText(dir.File("noise.mp3"), "not audio at all");
        Mga.Run("generate", "x", "--model", WriteManifest(dir.Path), "--melody", dir.File("noise.mp3"), "--out", dir.File("a.wav"))
            .FailedWith(1, "cannot read the melody", "noise.mp3");
        Assert.DoesNotContain("a.wav", dir.FileNames());
    }
}
