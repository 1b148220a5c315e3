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
    private static FixtureSet Melody => FixtureSet.ByName("musicgen-melody-tiny");

    // the fixture's first prompt, as its vectors.json lists it
    private static string Prompt => Melody.Vector("gen_text_input_ids").ListedTexts()[0];

    private static Models.Encodec.EncodecConfig Codec => FixtureModelSet.Codec(Melody);

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

    // the fixture's first melody (0.5 s of C4 E4 G4 C5 A4 at the codec's rate)
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
        var tune = TestAudio.Write(dir.File("tune.wav"), Codec.SamplingRate, WavSampleFormat.Float32, Tune());
        var reference = Melody.Vector("gen_audio_values"); // [batch, 1, samples]: item 0 is this prompt and melody
        var samples = (int)reference.Shape[2];
        var duration = FixtureModelSet.Seconds(Melody, samples / Codec.HopLength);
        var result = Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--melody", tune, "--greedy", "--cfg", "3",
            "--duration", duration, "--out", dir.File("melody.wav")).Succeeded();
        Assert.Contains("melody", result.Out);
        Assert.Contains("tune.wav", result.Out);

        var audio = TestAudio.Read(dir.File("melody.wav"));
        Assert.Equal((Codec.SamplingRate, 1, samples), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        var expected = reference.Values();
        var tolerance = reference.Tolerance!;
        var worst = 0.0;
        for (var i = 0; i < samples; i++)
            worst = Math.Max(worst, Math.Abs(audio.Channels[0][i] - expected[i]) - (tolerance.Atol + tolerance.Rtol * Math.Abs(expected[i])));
        Assert.True(worst <= 0, $"generated audio exceeds the fixture's tolerance ({tolerance}) by up to {worst}");

        // the melody matters: the same prompt without it (the null melody) gives other audio
        Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--greedy", "--cfg", "3", "--duration", duration,
            "--out", dir.File("plain.wav")).Succeeded();
        Assert.True(TestAudio.RelativeRmsError(TestAudio.Read(dir.File("plain.wav")).Channels[0], audio.Channels[0]) > 1e-3);
    }

    [Fact]
    public void An_mp3_melody_is_decoded_and_the_melody_alone_can_condition_the_music()
    {
        using var dir = new TempDirectory();
        var mp3 = dir.File("tune.mp3");
        AudioFileWriter.Write(mp3, new AudioBuffer(Codec.SamplingRate, [Tune()]));
        var result = Mga.Run("generate", "--model", WriteManifest(dir.Path), "--melody", mp3, "--greedy", "--duration", "0.3",
            "--out", dir.File("a.wav")).Succeeded();
        Assert.Contains("(no text)", result.Out);
        Assert.Contains("tune.mp3", result.Out);
        Assert.Equal((long)Math.Round(0.3 * Codec.FrameRate) * Codec.HopLength, TestAudio.Read(dir.File("a.wav")).FrameCount);
    }

    [Fact]
    public void A_long_track_follows_the_melody_window_by_window()
    {
        // a window holds max_position_embeddings - (chroma_length + text) prefix - (K - 1) frames; 2.5 s needs more
        using var dir = new TempDirectory();
        var decoder = Models.MusicGenLm.MusicGenDecoderConfig.FromHuggingFaceJson(File.ReadAllText(Melody.ConfigPath), Melody.ConfigPath);
        var text = new T5TextEncoding(SentencePieceTokenizer.Load(FixtureModelSet.TokenizerPath)).EncodeBatch([Prompt]).Length;
        var window = decoder.MaxPositionEmbeddings - (decoder.ChromaLength + text) - (decoder.ChannelCodebooks - 1);
        var frames = (long)Math.Round(2.5 * Codec.FrameRate);
        Assert.True(frames > window, $"2.5 s ({frames} frames) fits one {window}-frame window of this model: the test needs a longer duration");
        var tune = TestAudio.Write(dir.File("tune.wav"), Codec.SamplingRate, WavSampleFormat.Float32, Tune());
        var result = Mga.Run("generate", Prompt, "--model", WriteManifest(dir.Path), "--melody", tune, "--duration", "2.5", "--seed", "3",
            "--out", dir.File("long.wav")).Succeeded();
        Assert.Matches($@"{frames} frames at {Codec.FrameRate} Hz in [2-9]\d* windows", result.Out);
        Assert.Equal(frames * Codec.HopLength, TestAudio.Read(dir.File("long.wav")).FrameCount);
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
