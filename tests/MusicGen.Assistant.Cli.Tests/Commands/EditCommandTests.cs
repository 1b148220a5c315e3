using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Models.ModelSets;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// <c>mga edit continue|extend</c> on the musicgen-tiny fixture model set: the track's samples are kept bit for bit
/// except the last 50 ms, crossfaded into the new part; the new part is exactly what <c>generate --continue</c> makes
/// from the same tail, and the track file is untouched.
/// </summary>
public sealed class EditCommandTests : IDisposable
{
    // the fixture codec: its rate, samples per frame and frames per second
    private static readonly Models.Encodec.EncodecConfig Codec = FixtureModelSet.Codec(MusicGen.Assistant.Testing.FixtureSet.ByName("musicgen-tiny"));
    private static readonly int Rate = Codec.SamplingRate, Hop = Codec.HopLength, FrameRate = Codec.FrameRate;

    private static string S(double seconds) => seconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    private static string Arg(double seconds) => seconds.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Continue_keeps_the_track_and_appends_what_generate_continue_makes()
    {
        var manifest = FixtureModelSet.WriteManifest(_dir.Path);
        var samples = TestAudio.Tones(Rate, 8 * Hop); // 0.16 s: the whole track is the model's context
        var track = TestAudio.Write(_dir.File("track.wav"), Rate, WavSampleFormat.Float32, samples);
        var before = Hash(track);

        var result = Mga.Run("edit", "continue", track, "groovy funk", "--seconds", "0.3", "--greedy", "--model", manifest,
            "--out", _dir.File("edit.wav")).Succeeded();
        var (trackSeconds, newFrames) = (8.0 / FrameRate, (int)Math.Round(0.3 * FrameRate));
        Assert.Contains($"{S(trackSeconds)} s of the track + {S(newFrames / (double)FrameRate)} s new = {S(trackSeconds + newFrames / (double)FrameRate)} s", result.Out);
        Assert.Equal(before, Hash(track));

        var edited = TestAudio.Read(_dir.File("edit.wav")).Channels[0];
        Assert.Equal(samples.Length + newFrames * Hop, edited.Length);
        var seam = (int)(0.05 * Rate);
        Assert.Equal(samples.AsSpan(0, samples.Length - seam).ToArray(), edited.AsSpan(0, samples.Length - seam).ToArray());

        // the same continuation through generate: prompt (8 frames) + the new frames; the new part must be identical
        Mga.Run("generate", "groovy funk", "--continue", track, "--greedy", "--model", manifest, "--duration", Arg((8 + newFrames) / (double)FrameRate),
            "--out", _dir.File("generated.wav")).Succeeded();
        var generated = TestAudio.Read(_dir.File("generated.wav")).Channels[0];
        Assert.Equal(generated.AsSpan(samples.Length).ToArray(), edited.AsSpan(samples.Length).ToArray());

        // the claim the help and the README make, exactly: bit for bit except the last 50 ms, which go from the
        // track to the model's re-synthesis of it (what generate --continue decodes there) along a raised cosine
        Assert.Contains("kept bit for bit except the last 50 ms, crossfaded into the new part", result.Out);
        var start = samples.Length - seam;
        var changed = 0;
        for (var j = 0; j < seam; j++)
        {
            var w = (float)(0.5 - 0.5 * Math.Cos(Math.PI * (j + 0.5) / seam));
            var expected = samples[start + j] * (1 - w) + generated[start + j] * w;
            Assert.True(Math.Abs(expected - edited[start + j]) <= 1e-6f, $"seam sample {j}: {edited[start + j]} != {expected}");
            if (edited[start + j] != samples[start + j]) changed++;
        }
        Assert.True(changed > seam / 2, $"only {changed} of the {seam} seam samples differ from the track: is there a crossfade?");
    }

    [Fact]
    public void Extend_reaches_the_total_length_in_windows_and_is_reproducible_by_seed()
    {
        // a 0.3 s window: a 1.0 s result from a 0.4 s track needs several windows
        var manifest = FixtureModelSet.WriteManifest(_dir.Path, new GenerationDefaults { MaxDurationSeconds = 0.3 });
        var samples = TestAudio.Tones(Rate, 20 * Hop);
        var track = TestAudio.Write(_dir.File("track.wav"), Rate, WavSampleFormat.Float32, samples);
        Mga.Run("edit", "extend", track, "--to", "1.0", "--seed", "5", "--model", manifest, "--out", _dir.File("a.wav")).Succeeded();
        Mga.Run("edit", "extend", track, "--to", "1.0", "--seed", "5", "--model", manifest, "--out", _dir.File("b.wav")).Succeeded();
        var a = TestAudio.Read(_dir.File("a.wav")).Channels[0];
        Assert.Equal(Rate, a.Length);
        Assert.Equal(Hash(_dir.File("a.wav")), Hash(_dir.File("b.wav")));
        Assert.Equal(samples.AsSpan(0, samples.Length - 1600).ToArray(), a.AsSpan(0, samples.Length - 1600).ToArray());
        Assert.All(a, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void A_track_at_another_rate_is_resampled_and_kept_in_length()
    {
        var manifest = FixtureModelSet.WriteManifest(_dir.Path);
        var track = TestAudio.Write(_dir.File("cd.wav"), 44100, WavSampleFormat.Pcm16, TestAudio.Tones(44100, 8820)); // 0.2 s
        Mga.Run("edit", "continue", track, "--seconds", "0.2", "--seed", "1", "--model", manifest, "--out", _dir.File("e.wav")).Succeeded();
        var edited = TestAudio.Read(_dir.File("e.wav"));
        Assert.Equal((Rate, (long)Math.Round(0.2 * Rate) + (long)Math.Round(0.2 * FrameRate) * Hop), (edited.SampleRate, edited.FrameCount));
    }

    [Fact]
    public void Short_additions_have_the_planned_length_and_less_than_a_frame_is_refused()
    {
        var manifest = FixtureModelSet.WriteManifest(_dir.Path);
        var track = TestAudio.Write(_dir.File("t.wav"), Rate, WavSampleFormat.Float32, TestAudio.Tones(Rate, 4 * Hop));
        foreach (var (seconds, frames) in new[] { ("0.02", 1), ("0.07", 3) })
        {
            Mga.Run("edit", "continue", track, "--seconds", seconds, "--greedy", "--model", manifest, "--out", _dir.File("e.wav")).Succeeded();
            Assert.Equal((4 + frames) * Hop, TestAudio.Read(_dir.File("e.wav")).FrameCount);
        }
        Mga.Run("edit", "continue", track, "--seconds", "0.01", "--model", manifest, "--out", _dir.File("f.wav"))
            .FailedWith(2, "--seconds of 0.01 s is shorter than one codec frame: the minimum is 0.02 s");
        Mga.Run("edit", "continue", track, "--model", manifest, "--out", _dir.File("f.mp3")).FailedWith(2, "edits are written as WAV");
        Assert.False(File.Exists(_dir.File("f.wav")));
    }

    [Fact]
    public void Bad_edits_are_refused_and_leave_the_track_alone()
    {
        var manifest = FixtureModelSet.WriteManifest(_dir.Path);
        var track = TestAudio.Write(_dir.File("track.wav"), Rate, WavSampleFormat.Float32, TestAudio.Tones(Rate, Rate / 2)); // 0.5 s
        var before = Hash(track);
        Mga.Run("edit", "continue", track, "--model", manifest, "--out", track).FailedWith(2, "is the track itself");
        Mga.Run("edit", "extend", track, "--to", "0.4", "--model", manifest, "--out", _dir.File("x.wav")).FailedWith(2, "already 0.50 s long");
        Mga.Run("edit", "continue", track, "  ", "--model", manifest, "--out", _dir.File("x.wav")).FailedWith(2, "the description is empty");
        Mga.Run("edit", "continue", _dir.File("none.wav"), "--model", manifest, "--out", _dir.File("x.wav")).FailedWith(1, "track", "does not exist");
        Mga.Run("edit", "continue", track, "--seconds", "0", "--model", manifest, "--out", _dir.File("x.wav")).FailedWith(2, "--seconds must be a positive number");
        Assert.Equal(before, Hash(track));
        Assert.False(File.Exists(_dir.File("x.wav")));
    }
}
