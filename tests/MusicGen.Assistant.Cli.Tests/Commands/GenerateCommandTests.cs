using MusicGen.Assistant.Cli.Tests.Helpers;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary><c>mga generate</c> on the UNTRAINED demo set (built once in the cache): lengths, seeds, batches.</summary>
public class GenerateCommandTests
{
    private const string Prompt = "lo-fi hip hop beat with warm piano";

    [Fact]
    public void One_second_with_the_demo_set_is_a_32_kHz_mono_wav_of_one_second_labelled_untrained()
    {
        using var dir = new TempDirectory();
        var result = Mga.Run("generate", Prompt, "--duration", "1", "--out", dir.File("out/song.wav"), "--seed", "1").Succeeded();

        Assert.Contains("UNTRAINED DEMO MODEL", result.Out);
        Assert.Contains("(UNTRAINED DEMO MODEL output)", result.Out);
        Assert.Contains("1.00 s -> 50 frames at 50 Hz", result.Out);
        Assert.Matches(@"time .* real-time factor [\d.]+", result.Out);
        Assert.Matches(@"generate: 53/53 steps done in", result.Err); // 50 frames + 3 delay steps
        var audio = TestAudio.Read(dir.File("out/song.wav")); // the missing folder was created, as for `mga demo`
        Assert.Equal((32000, 1, 32000), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        Assert.All(audio.Channels[0], x => Assert.True(float.IsFinite(x)));
        Assert.True(audio.Channels[0].Any(x => x != 0), "the decoded audio is all zeros");
        Assert.Equal(["song.wav"], Directory.GetFiles(dir.File("out")).Select(Path.GetFileName)); // the write check left nothing behind
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_audio()
    {
        using var dir = new TempDirectory();
        foreach (var (name, seed) in new[] { ("a.wav", "7"), ("b.wav", "7"), ("c.wav", "8") })
            Mga.Run("generate", Prompt, "--duration", "0.5", "--out", dir.File(name), "--seed", seed).Succeeded();
        Assert.Equal(File.ReadAllBytes(dir.File("a.wav")), File.ReadAllBytes(dir.File("b.wav")));
        Assert.NotEqual(File.ReadAllBytes(dir.File("a.wav")), File.ReadAllBytes(dir.File("c.wav")));
    }

    [Fact]
    public void Greedy_decoding_is_reproducible_without_a_seed_and_pcm16_halves_the_data()
    {
        using var dir = new TempDirectory();
        var first = Mga.Run("generate", Prompt, "--duration", "0.5", "--out", dir.File("a.wav"), "--greedy").Succeeded();
        Mga.Run("generate", Prompt, "--duration", "0.5", "--out", dir.File("b.wav"), "--greedy").Succeeded();
        Mga.Run("generate", Prompt, "--duration", "0.5", "--out", dir.File("c.wav"), "--greedy", "--format", "pcm16").Succeeded();
        Assert.Contains("greedy, guidance 3", first.Out);
        Assert.Equal(File.ReadAllBytes(dir.File("a.wav")), File.ReadAllBytes(dir.File("b.wav")));
        var f32 = TestAudio.Read(dir.File("a.wav"));
        var pcm = TestAudio.Read(dir.File("c.wav"));
        Assert.Equal(16000, pcm.FrameCount);
        // 16-bit quantization of the same (clipped) signal: within one step of 2^-15
        for (var i = 0; i < pcm.FrameCount; i++)
            Assert.True(Math.Abs(Math.Clamp(f32.Channels[0][i], -1f, 1f) - pcm.Channels[0][i]) <= 1.0 / 32768 + 1e-6, $"sample {i}");
    }

    [Fact]
    public void An_f16_attention_cache_is_chosen_by_option_reproducible_and_as_long()
    {
        using var dir = new TempDirectory();
        Mga.Run("generate", Prompt, "--duration", "1.5", "--out", dir.File("a.wav"), "--seed", "3", "--kv-cache", "f16").Succeeded();
        Mga.Run("generate", Prompt, "--duration", "1.5", "--out", dir.File("b.wav"), "--seed", "3", "--kv-cache", "f16").Succeeded();
        Mga.Run("generate", Prompt, "--duration", "1.5", "--out", dir.File("c.wav"), "--seed", "3").Succeeded();
        Assert.Equal(File.ReadAllBytes(dir.File("a.wav")), File.ReadAllBytes(dir.File("b.wav")));
        var (f16, f32) = (TestAudio.Read(dir.File("a.wav")), TestAudio.Read(dir.File("c.wav")));
        Assert.Equal(f32.FrameCount, f16.FrameCount);
        Assert.All(f16.Channels[0], x => Assert.True(float.IsFinite(x)));
        Mga.Run("generate", Prompt, "--duration", "0.5", "--out", dir.File("d.wav"), "--kv-cache", "f8").FailedWith(2, "f8");
    }

    [Fact]
    public void A_prompts_file_gives_one_numbered_wav_per_non_blank_line()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("prompts.txt"), ["calm ambient pad", "", "  fast techno with 909 drums  ", "jazz trio 🎷"]);
        var result = Mga.Run("generate", "--prompts", dir.File("prompts.txt"), "--duration", "0.4", "--out", dir.File("song.wav"), "--seed", "3").Succeeded();

        Assert.Equal(["prompts.txt", "song-001.wav", "song-002.wav", "song-003.wav"], dir.FileNames());
        Assert.Contains("\"fast techno with 909 drums\"", result.Out);
        Assert.Contains("3 files, 1.20 s of audio", result.Out);
        var a = TestAudio.Read(dir.File("song-001.wav"));
        var b = TestAudio.Read(dir.File("song-002.wav"));
        Assert.Equal((12800, 12800), (a.FrameCount, b.FrameCount));
        Assert.NotEqual(a.Channels[0], b.Channels[0]); // the text conditions the output even with random weights
    }

    [Fact]
    public void The_demo_set_makes_audio_well_below_full_scale()
    {
        using var dir = new TempDirectory();
        foreach (var seed in new[] { "1", "2", "3" })
        {
            var result = Mga.Run("generate", Prompt, "--duration", "1", "--seed", seed, "--format", "pcm16", "--out", dir.File($"{seed}.wav")).Succeeded();
            var peak = TestAudio.Read(dir.File($"{seed}.wav")).Channels[0].Max(Math.Abs);
            Assert.InRange(peak, 0.02f, 0.5f); // audible, and at least 6 dB below full scale: nothing clipped
            Assert.DoesNotContain("warning", result.Err);
            Assert.DoesNotContain("above full scale", result.Out);
        }
    }

    [Fact]
    public void The_peak_is_reported_and_audio_above_full_scale_is_warned_about()
    {
        // whatever level the fixture model makes: the report must say what the files hold
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var f32 = Mga.Run("generate", Prompt, "--model", manifest, "--duration", "1", "--seed", "4", "--out", dir.File("f.wav")).Succeeded();
        var pcm = Mga.Run("generate", Prompt, "--model", manifest, "--duration", "1", "--seed", "4", "--format", "pcm16", "--out", dir.File("p.wav")).Succeeded();
        var peak = TestAudio.Read(dir.File("f.wav")).Channels[0].Max(Math.Abs);
        Assert.Contains($"peak        {peak.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} of full scale", f32.Out);
        Assert.Equal(peak > 1, f32.Err.Contains("warning: the audio peaks at", StringComparison.Ordinal));
        Assert.Equal(peak > 1, pcm.Out.Contains("above full scale: clipped in the file", StringComparison.Ordinal));
        Assert.Equal(peak > 1, pcm.Err.Contains("above full scale and clipped in the file", StringComparison.Ordinal));
        Assert.Equal(Math.Min(peak, 32767f / 32768), TestAudio.Read(dir.File("p.wav")).Channels[0].Max(Math.Abs), 1e-4f);
    }

    [Theory]
    [InlineData("0.02", 1)]
    [InlineData("0.07", 3)] // rounded down to whole 20 ms frames
    [InlineData("0.58", 29)]
    public void Short_durations_give_the_planned_length(string duration, int frames)
    {
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var result = Mga.Run("generate", Prompt, "--model", manifest, "--duration", duration, "--seed", "2", "--out", dir.File("a.wav")).Succeeded();
        Assert.Contains($"-> {frames} frames at 50 Hz", result.Out);
        Assert.Equal(frames * 640, TestAudio.Read(dir.File("a.wav")).FrameCount);
    }

    [Fact]
    public void A_window_shorter_than_the_delay_pattern_still_gives_the_planned_length()
    {
        // 40 ms windows (2 frames) of a 4-codebook decoder: each window is shorter than the delay pattern (was:
        // "window 0 produced 5 frames, planned 2")
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path, new Models.ModelSets.GenerationDefaults { MaxDurationSeconds = 0.04 });
        Mga.Run("generate", Prompt, "--model", manifest, "--duration", "0.1", "--seed", "2", "--out", dir.File("a.wav")).Succeeded();
        Assert.Equal(5 * 640, TestAudio.Read(dir.File("a.wav")).FrameCount);
        Mga.Run("generate", Prompt, "--model", manifest, "--duration", "0.01", "--out", dir.File("b.wav"))
            .FailedWith(2, "the duration of 0.01 s is shorter than one codec frame: the minimum is 0.02 s (1 frame at 50 Hz");
    }

    [Fact]
    public void A_duration_beyond_the_decoder_window_is_generated_in_overlapping_windows()
    {
        // 4 s is more than the fixture decoder's positions hold (musicgen-tiny: 128, windows of 2.5 s), 2.5 s one window
        var codec = FixtureModelSet.Codec(MusicGen.Assistant.Testing.FixtureSet.ByName("musicgen-tiny"));
        var frames = 4 * codec.FrameRate;
        using var dir = new TempDirectory();
        var manifest = FixtureModelSet.WriteManifest(dir.Path);
        var result = Mga.Run("generate", Prompt, "--model", manifest, "--duration", "4", "--seed", "5", "--out", dir.File("long.wav")).Succeeded();
        Mga.Run("generate", Prompt, "--model", manifest, "--duration", "4", "--seed", "5", "--out", dir.File("again.wav")).Succeeded();
        Mga.Run("generate", Prompt, "--model", manifest, "--duration", "2.5", "--seed", "5", "--out", dir.File("one.wav")).Succeeded();

        Assert.Matches($@"4\.00 s -> {frames} frames at {codec.FrameRate} Hz in [2-9]\d* windows of [\d.]+ s \(each continues the last", result.Out);
        Assert.Matches($@"generate: {frames}/{frames} frames done in", result.Err);
        var longForm = TestAudio.Read(dir.File("long.wav"));
        Assert.Equal((codec.SamplingRate, 1, frames * codec.HopLength), (longForm.SampleRate, longForm.ChannelCount, longForm.FrameCount));
        Assert.Equal(File.ReadAllBytes(dir.File("long.wav")), File.ReadAllBytes(dir.File("again.wav")));
        // window 0 is an ordinary 2.5 s run with the same seed: its audio begins the long track (up to the codec's
        // look-ahead at the window's end)
        var single = TestAudio.Read(dir.File("one.wav"));
        var head = 2 * codec.SamplingRate;
        Assert.True(TestAudio.RelativeRmsError(longForm.Channels[0][..head], single.Channels[0][..head]) < 1e-4);
    }
}
