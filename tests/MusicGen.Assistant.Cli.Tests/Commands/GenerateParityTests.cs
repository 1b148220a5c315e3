using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga generate --greedy</c> through a manifest over the converted musicgen-tiny checkpoint and the fixture T5
/// tokenizer reproduces transformers' <c>model.generate(..., do_sample=False, guidance_scale=3.0,
/// max_new_tokens=20)</c> for the fixture's first prompt: 17 frames = 0.34 s at 50 Hz.
/// </summary>
[Trait("Category", "Parity")]
public class GenerateParityTests
{
    private const string Prompt = "lo-fi hip hop beat with warm piano";

    [Fact]
    public void Greedy_generation_of_the_first_fixture_prompt_matches_transformers_audio()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        // the fixture's first row must be this prompt as our tokenizer encodes it (+ eos), or the comparison is moot
        var ids = set.Vector("gen_text_input_ids");
        var mask = set.Vector("gen_text_attention_mask").Values();
        var length = (int)ids.Shape[1];
        var realTokens = mask.Take(length).Count(m => m == 1);
        var expectedIds = ids.Values().Take(realTokens).Select(x => (int)x).ToArray();
        var encoded = new T5TextEncoding(SentencePieceTokenizer.Load(FixtureModelSet.TokenizerPath)).EncodeBatch([Prompt]);
        Assert.Equal(expectedIds, encoded.InputIds);

        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var result = Mga.Run("generate", Prompt, "--model", manifest, "--greedy", "--cfg", "3", "--duration", "0.34",
            "--out", dir.File("tiny.wav")).Succeeded();
        Assert.DoesNotContain("UNTRAINED", result.Out);
        Assert.Contains("0.34 s -> 17 frames at 50 Hz", result.Out);

        var audio = TestAudio.Read(dir.File("tiny.wav"));
        var reference = set.Vector("gen_audio_values"); // [2, 1, 10880]: item 0 is this prompt
        var samples = (int)reference.Shape[2];
        Assert.Equal((32000, 1, samples), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        var expected = reference.Values();
        var tolerance = reference.Tolerance!;
        var worst = 0.0;
        for (var i = 0; i < samples; i++)
        {
            var excess = Math.Abs(audio.Channels[0][i] - expected[i]) - (tolerance.Atol + tolerance.Rtol * Math.Abs(expected[i]));
            worst = Math.Max(worst, excess);
        }
        Assert.True(worst <= 0, $"generated audio exceeds the fixture's tolerance ({tolerance}) by up to {worst}");
    }
}
