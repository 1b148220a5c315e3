using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.T5;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>Every bad input of <c>mga generate</c> fails with one line naming the problem, before any work.</summary>
public class GenerateErrorTests
{
    private const string Prompt = "lo-fi hip hop beat with warm piano";

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_prompt_is_refused(string prompt)
    {
        using var dir = new TempDirectory();
        Mga.Run("generate", prompt, "--out", dir.File("a.wav")).FailedWith(2, "the prompt is empty");
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void No_prompt_or_both_prompt_and_file_are_refused()
    {
        using var dir = new TempDirectory();
        Mga.Run("generate", "--out", dir.File("a.wav")).FailedWith(2, "no prompt given");
        File.WriteAllText(dir.File("p.txt"), "a\n");
        Mga.Run("generate", "x", "--prompts", dir.File("p.txt"), "--out", dir.File("a.wav")).FailedWith(2, "not both");
        File.WriteAllText(dir.File("empty.txt"), "\n  \n");
        Mga.Run("generate", "--prompts", dir.File("empty.txt"), "--out", dir.File("a.wav")).FailedWith(2, "holds no prompts");
        Mga.Run("generate", "--prompts", dir.File("missing.txt"), "--out", dir.File("a.wav")).FailedWith(1, "prompts file", "does not exist");
    }

    [Fact]
    public void A_prompts_file_must_be_a_bounded_regular_utf8_file_of_bounded_prompts()
    {
        using var dir = new TempDirectory();
        var output = dir.File("a.wav");
        if (OperatingSystem.IsLinux())
        {
            // looked at with stat, never opened: neither blocks nor reads forever
            Mga.Run("generate", "--prompts", "/dev/zero", "--out", output).FailedWith(1, "prompts file '/dev/zero' is a character device, not a regular file");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [dir.File("fifo.txt")])) mkfifo.WaitForExit();
            Mga.Run("generate", "--prompts", dir.File("fifo.txt"), "--out", output).FailedWith(1, "is a FIFO (named pipe), not a regular file");
        }
        File.WriteAllText(dir.File("big.txt"), new string('a', 1 << 20) + "\n");
        Mga.Run("generate", "--prompts", dir.File("big.txt"), "--out", output).FailedWith(2, "holds 1048577 bytes; at most 1048576 bytes (1 MiB) are read");
        File.WriteAllLines(dir.File("many.txt"), Enumerable.Range(0, 1000).Select(i => $"prompt {i}"));
        Mga.Run("generate", "--prompts", dir.File("many.txt"), "--out", output).FailedWith(2, "holds 1000 prompts; at most 999 per run");
        File.WriteAllBytes(dir.File("latin1.txt"), [.. "jazz "u8, 0xE9, .. "\n"u8]);
        Mga.Run("generate", "--prompts", dir.File("latin1.txt"), "--out", output).FailedWith(1, "is not UTF-8 text (invalid bytes at offset 5)");
        File.WriteAllLines(dir.File("long.txt"), ["calm piano", new string('x', 15_000)]);
        Mga.Run("generate", "--prompts", dir.File("long.txt"), "--out", output).FailedWith(2, "prompt 2 of", "is 15000 characters long; a description may have at most 2000 characters");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_very_long_prompt_or_description_fails_at_once()
    {
        using var dir = new TempDirectory();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Mga.Run("generate", new string('y', 15_000), "--out", dir.File("a.wav")).FailedWith(2, "the prompt is 15000 characters long");
        var track = TestAudio.Write(dir.File("t.wav"), 32000, Audio.Wav.WavSampleFormat.Float32, new float[3200]);
        Mga.Run("edit", "continue", track, new string('y', 15_000), "--out", dir.File("b.wav")).FailedWith(2, "the description is 15000 characters long");
        Mga.Run("edit", "remix", track, new string('y', 15_000), "--out", dir.File("c.wav")).FailedWith(2, "the description is 15000 characters long");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // no model was loaded
        Assert.Equal(["t.wav"], dir.FileNames());
    }

    [Theory]
    [InlineData("0", "got '0'.")]
    [InlineData("-3", "got '-3'.")]
    [InlineData("NaN", "got 'NaN' (not a finite number).")]
    [InlineData("3601", "got '3601'.")]
    [InlineData("1e9", "got '1e9'.")]
    [InlineData("ten", "got 'ten' (not a number).")]
    public void Durations_that_are_not_positive_or_over_an_hour_are_refused(string duration, string got)
    {
        Mga.Run("generate", Prompt, "--duration", duration).FailedWith(2, "--duration must be a positive number of seconds up to 3600", got);
    }

    [Fact]
    public void Out_of_range_sampling_options_are_refused()
    {
        Mga.Run("generate", Prompt, "--cfg", "0.5").FailedWith(2, "--cfg must be between 1");
        Mga.Run("generate", Prompt, "--top-k", "-1").FailedWith(2, "--top-k must be 0");
        Mga.Run("generate", Prompt, "--top-p", "1.5").FailedWith(2, "--top-p must be between 0");
        Mga.Run("generate", Prompt, "--temperature", "0").FailedWith(2, "--temperature must be a positive");
        Mga.Run("generate", Prompt, "--format", "mp3").FailedWith(2, "mp3");
    }

    [Fact]
    public void A_missing_model_a_wav_and_a_gguf_without_a_decoder_are_named()
    {
        using var dir = new TempDirectory();
        var output = dir.File("a.wav");
        Mga.Run("generate", Prompt, "--model", dir.File("nope.gguf"), "--out", output).FailedWith(1, "model '", "nope.gguf' does not exist");
        Mga.Run("generate", Prompt, "--model", dir.Path, "--out", output).FailedWith(1, "holds no musicgen.modelset.json");

        var wav = TestAudio.Write(dir.File("in.wav"), 32000, Audio.Wav.WavSampleFormat.Pcm16, new float[100]);
        Mga.Run("generate", Prompt, "--model", wav, "--out", output).FailedWith(1, "in.wav' is a RIFF/WAV audio file, not a model");

        // a T5-only GGUF: first the tokenizer beside it is missing, then it is found and the file refused for lacking the decoder
        var t5Only = dir.File("t5.gguf");
        var t5 = new T5Config { VocabSize = 64, DModel = 16, DKv = 4, DFf = 32, NumLayers = 1, NumHeads = 4 };
        GgufConverter.Write(new T5RandomPlan(t5, 1), t5Only, StorageType.F32, "test");
        Mga.Run("generate", Prompt, "--model", t5Only, "--out", output).FailedWith(1, "no tokenizer next to", "spiece.model");
        File.Copy(FixtureModelSet.TokenizerPath, dir.File("spiece.model"));
        Mga.Run("generate", Prompt, "--model", t5Only, "--out", output).FailedWith(1, "the decoder file", "holds no MusicGen decoder");
        Assert.DoesNotContain("a.wav", dir.FileNames());
    }

    [Fact]
    public void A_broken_manifest_names_the_field()
    {
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text.Replace("\"kind\": \"musicgen\"", "\"kind\": \"llama\""));
        Mga.Run("generate", Prompt, "--model", manifest, "--out", dir.File("a.wav")).FailedWith(1, "kind is \"llama\"");
        File.WriteAllText(manifest, text.Replace("\"top_k\": 250", "\"top_k\": -4"));
        Mga.Run("generate", Prompt, "--model", manifest, "--out", dir.File("a.wav")).FailedWith(1, "defaults.top_k is -4");
        File.WriteAllText(manifest, text.Replace("t5-unigram.model", "gone.model"));
        Mga.Run("generate", Prompt, "--model", manifest, "--out", dir.File("a.wav")).FailedWith(1, "the tokenizer file", "gone.model' does not exist");
        File.WriteAllText(manifest, "{ not json");
        Mga.Run("generate", Prompt, "--model", manifest, "--out", dir.File("a.wav")).FailedWith(1, "not a valid JSON model set manifest");
    }

    [Fact]
    public void An_output_that_cannot_be_written_is_refused_before_generating()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file.txt"), "not a folder");
        Mga.Run("generate", Prompt, "--out", dir.File("file.txt/a.wav")).FailedWith(1, "cannot write output file", "cannot create the folder");
        Mga.Run("generate", Prompt, "--out", dir.Path).FailedWith(1, "is a folder; give a file name");
    }
}
