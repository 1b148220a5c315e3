using System.Globalization;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// A downloaded MusicGen folder (the musicgen-tiny checkpoint with its spiece.model) converts into one GGUF that
/// carries the tokenizer, and <c>mga generate --model that.gguf</c> run in a folder holding nothing else reproduces
/// transformers' greedy generation of the fixture's first prompt, compared as GenerateParityTests compares it.
/// </summary>
[Trait("Category", "Parity")]
public class GenerateEmbeddedTokenizerTests
{
    [Fact]
    public void A_converted_folder_generates_from_its_gguf_alone()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var download = new TempDirectory();
        foreach (var file in Directory.GetFiles(set.Directory).Where(f => !Path.GetFileName(f).StartsWith("vectors.", StringComparison.Ordinal)))
            File.CreateSymbolicLink(download.File(Path.GetFileName(file)), file);
        File.Copy(FixtureModelSet.TokenizerPath, download.File("spiece.model"));

        using var dir = new TempDirectory();
        var gguf = dir.File("model.gguf");
        var converted = Mga.Run("convert", download.Path, gguf).Succeeded();
        Assert.Contains("tokenizer", converted.Out);
        Assert.Equal(["model.gguf"], dir.FileNames());

        // the prompt is the fixture's first generate row: its ids without padding and eos, decoded
        var tokenizer = SentencePieceTokenizer.Load(FixtureModelSet.TokenizerPath);
        var ids = set.Vector("gen_text_input_ids");
        var realTokens = set.Vector("gen_text_attention_mask").Values().Take((int)ids.Shape[1]).Count(m => m == 1);
        var promptIds = ids.Values().Take(realTokens - 1).Select(x => (int)x).ToArray();
        var prompt = tokenizer.Decode(promptIds);
        Assert.Equal(promptIds, tokenizer.Encode(prompt));

        var frames = (int)set.Vector("gen_audio_codes").Shape[^1];
        var codec = ConvertedFixtures.ConfigOf(gguf);
        var duration = (frames * (double)codec.HopLength / codec.SamplingRate).ToString("R", CultureInfo.InvariantCulture);
        var result = Mga.Run("generate", prompt, "--model", gguf, "--greedy", "--cfg", "3", "--duration", duration,
            "--out", dir.File("tiny.wav")).Succeeded();
        Assert.Contains($"-> {frames} frames", result.Out);

        var audio = TestAudio.Read(dir.File("tiny.wav"));
        var reference = set.Vector("gen_audio_values"); // [batch, 1, samples]: item 0 is this prompt
        var samples = (int)reference.Shape[2];
        Assert.Equal((codec.SamplingRate, 1, samples), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        var expected = reference.Values();
        var tolerance = reference.Tolerance!;
        var worst = 0.0;
        for (var i = 0; i < samples; i++)
            worst = Math.Max(worst, Math.Abs(audio.Channels[0][i] - expected[i]) - (tolerance.Atol + tolerance.Rtol * Math.Abs(expected[i])));
        Assert.True(worst <= 0, $"generated audio exceeds the fixture's tolerance ({tolerance}) by up to {worst}");
    }
}
