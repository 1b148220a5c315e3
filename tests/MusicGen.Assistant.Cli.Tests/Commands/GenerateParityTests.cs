using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga generate --greedy</c> through a manifest over the converted musicgen-tiny checkpoint and the fixture T5
/// tokenizer reproduces transformers' <c>model.generate(..., do_sample=False, guidance_scale=3.0,
/// max_new_tokens=...)</c> for the fixture's first prompt, as long as the fixture's output.
/// </summary>
[Trait("Category", "Parity")]
public class GenerateParityTests
{
    [Fact]
    public void Greedy_generation_of_the_first_fixture_prompt_matches_transformers_audio()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        var codec = FixtureModelSet.Codec(set);
        // the fixture's first prompt, as its vectors.json lists it
        var prompt = set.Vector("gen_text_input_ids").ListedTexts()[0];
        // the fixture's first row must be this prompt as our tokenizer encodes it (+ eos), or the comparison is moot
        var ids = set.Vector("gen_text_input_ids");
        var mask = set.Vector("gen_text_attention_mask").Values();
        var length = (int)ids.Shape[1];
        var realTokens = mask.Take(length).Count(m => m == 1);
        var expectedIds = ids.Values().Take(realTokens).Select(x => (int)x).ToArray();
        var encoded = new T5TextEncoding(SentencePieceTokenizer.Load(FixtureModelSet.TokenizerPath)).EncodeBatch([prompt]);
        Assert.Equal(expectedIds, encoded.InputIds);

        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var reference = set.Vector("gen_audio_values"); // [batch, 1, samples]: item 0 is this prompt
        var samples = (int)reference.Shape[2];
        var frames = samples / codec.HopLength;
        var duration = FixtureModelSet.Seconds(set, frames);
        var result = Mga.Run("generate", prompt, "--model", manifest, "--greedy", "--cfg", "3", "--duration", duration,
            "--out", dir.File("tiny.wav")).Succeeded();
        Assert.DoesNotContain("UNTRAINED", result.Out);
        Assert.Contains($"{frames / (double)codec.FrameRate:0.00} s -> {frames} frames at {codec.FrameRate} Hz", result.Out);

        var audio = TestAudio.Read(dir.File("tiny.wav"));
        Assert.Equal((codec.SamplingRate, 1, samples), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
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
