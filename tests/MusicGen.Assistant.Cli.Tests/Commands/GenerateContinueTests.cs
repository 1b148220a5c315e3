using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga generate --continue prompt.wav</c>: the prompt is encoded with EnCodec, prefilled and kept. On the
/// musicgen-prompted-tiny fixture (same weights as musicgen-tiny) greedy continuation reproduces transformers'
/// <c>generate(input_values=...)</c> audio, with text and without.
/// </summary>
[Trait("Category", "Parity")]
public class GenerateContinueTests
{
    private static readonly FixtureSet Set = FixtureSet.ByName("musicgen-prompted-tiny");

    // item 0 of the fixture's prompt batch and of its generate() output
    private static float[] Item0(string vector)
    {
        var v = Set.Vector(vector);
        var length = (int)v.Shape[^1];
        return v.Values().Take(length).Select(x => (float)x).ToArray();
    }

    private static void AssertWithinTolerance(string wav, string vector)
    {
        var audio = TestAudio.Read(wav);
        var reference = Set.Vector(vector);
        var expected = Item0(vector);
        Assert.Equal((FixtureModelSet.Codec(Set).SamplingRate, 1, expected.Length), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        var tolerance = reference.Tolerance!;
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(audio.Channels[0][i] - expected[i]) - (tolerance.Atol + tolerance.Rtol * Math.Abs(expected[i])));
        Assert.True(worst <= 0, $"continued audio exceeds the fixture's tolerance ({tolerance}) by up to {worst}");
    }

    [Fact]
    public void Greedy_continuation_with_text_matches_transformers()
    {
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var codec = FixtureModelSet.Codec(Set);
        var prompt = TestAudio.Write(dir.File("prompt.wav"), codec.SamplingRate, WavSampleFormat.Float32, Item0("prompt_input_values"));
        // the fixture's first prompt text, and the length of its output: prompt frames + new frames
        var text = Set.Vector("gen_text_input_ids").ListedTexts()[0];
        var (promptFrames, totalFrames) = (Item0("prompt_input_values").Length / codec.HopLength, Item0("gen_audio_values").Length / codec.HopLength);
        var result = Mga.Run("generate", text, "--continue", prompt, "--model", manifest,
            "--greedy", "--cfg", "3", "--duration", FixtureModelSet.Seconds(Set, totalFrames), "--out", dir.File("continued.wav")).Succeeded();
        Assert.Contains($"{promptFrames / (double)codec.FrameRate:0.00} s ({promptFrames} frames), kept as the start of the result", result.Out);
        AssertWithinTolerance(dir.File("continued.wav"), "gen_audio_values");
    }

    [Fact]
    public void Greedy_continuation_without_text_is_unconditional_and_matches_transformers()
    {
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var codec = FixtureModelSet.Codec(Set);
        var prompt = TestAudio.Write(dir.File("prompt.wav"), codec.SamplingRate, WavSampleFormat.Float32, Item0("uncond_input_values"));
        var frames = Item0("uncond_gen_audio_values").Length / codec.HopLength;
        var result = Mga.Run("generate", "--continue", prompt, "--model", manifest, "--greedy", "--duration", FixtureModelSet.Seconds(Set, frames),
            "--out", dir.File("continued.wav")).Succeeded();
        Assert.Contains("no text, so the continuation is unconditional", result.Out);
        Assert.Contains("(no text)", result.Out);
        AssertWithinTolerance(dir.File("continued.wav"), "uncond_gen_audio_values");
    }

    [Fact]
    public void A_prompt_longer_than_the_window_is_continued_from_its_end_and_kept_whole()
    {
        using var dir = new TempDirectory();
        // a 0.3 s window (15 frames) and a 0.4 s prompt (20 frames): the model continues the last 6 frames
        var manifest = FixtureModelSet.WriteManifest(dir.Path, new GenerationDefaults { MaxDurationSeconds = 0.3 });
        var prompt = TestAudio.Write(dir.File("prompt.wav"), 32000, WavSampleFormat.Float32, TestAudio.Tones(32000, 12800));
        Mga.Run("generate", "groovy funk", "--continue", prompt, "--model", manifest, "--seed", "7", "--duration", "0.7",
            "--out", dir.File("long.wav")).Succeeded();
        var audio = TestAudio.Read(dir.File("long.wav"));
        var codec = FixtureModelSet.Codec(FixtureSet.ByName("musicgen-tiny"));
        Assert.Equal((long)Math.Round(0.7 * codec.FrameRate) * codec.HopLength, audio.FrameCount);
        Assert.All(audio.Channels[0], s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void A_duration_not_longer_than_the_prompt_and_a_missing_prompt_file_are_refused()
    {
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var prompt = TestAudio.Write(dir.File("prompt.wav"), 32000, WavSampleFormat.Float32, TestAudio.Tones(32000, 6400));
        Mga.Run("generate", "x", "--continue", prompt, "--model", manifest, "--duration", "0.2", "--out", dir.File("a.wav"))
            .FailedWith(1, "the duration includes the prompt");
        Mga.Run("generate", "x", "--continue", dir.File("missing.wav"), "--model", manifest, "--out", dir.File("a.wav"))
            .FailedWith(1, "audio prompt (--continue)", "does not exist");
        Assert.False(File.Exists(dir.File("a.wav")));
    }

    [Fact]
    public void A_stereo_model_continues_stereo_audio_and_refuses_a_mono_prompt()
    {
        using var dir = new TempDirectory();
        var gguf = ConvertedFixtures.Gguf(FixtureSet.ByName("musicgen-stereo-tiny"));
        var manifest = Path.Combine(dir.Path, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(manifest, new ModelSetManifest
        {
            Name = "musicgen-stereo-tiny fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf, TokenizerPath = FixtureModelSet.TokenizerPath,
        });
        var stereoSet = FixtureSet.ByName("musicgen-stereo-tiny");
        var codec = FixtureModelSet.Codec(stereoSet);
        var waves = stereoSet.Vector("encodec_input_values"); // [batch, 2, samples]
        var samples = (int)waves.Shape[2];
        var values = waves.Values();
        var left = values.Take(samples).Select(x => (float)x).ToArray();
        var right = values.Skip(samples).Take(samples).Select(x => (float)x).ToArray();
        var stereo = TestAudio.Write(dir.File("stereo.wav"), codec.SamplingRate, WavSampleFormat.Float32, left, right);
        var result = Mga.Run("generate", "90s rock song", "--continue", stereo, "--model", manifest, "--greedy", "--duration", "0.6",
            "--out", dir.File("out.wav")).Succeeded();
        Assert.Contains($"({(samples + codec.HopLength - 1) / codec.HopLength} frames)", result.Out);
        var audio = TestAudio.Read(dir.File("out.wav"));
        Assert.Equal((2, (long)Math.Round(0.6 * codec.FrameRate) * codec.HopLength), (audio.ChannelCount, audio.FrameCount));

        var mono = TestAudio.Write(dir.File("mono.wav"), codec.SamplingRate, WavSampleFormat.Float32, left);
        Mga.Run("generate", "90s rock song", "--continue", mono, "--model", manifest, "--duration", "0.6", "--out", dir.File("m.wav"))
            .FailedWith(1, "mono.wav", "continues stereo audio only");
    }
}
