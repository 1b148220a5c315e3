using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Generation;

/// <summary>
/// Lengths are rounded down to whole codec frames, one frame at least, and the audio made is exactly the planned
/// length, for short and long durations and for windows shorter than the delay pattern (musicgen-tiny fixture).
/// </summary>
public sealed class TrackLengthTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0.02, 50, 1)]
    [InlineData(0.039, 50, 1)]
    [InlineData(0.07, 50, 3)]
    [InlineData(0.58, 50, 29)] // 0.58 · 50 = 28.999999999999996 in binary
    [InlineData(1.1, 50, 55)]
    [InlineData(10, 50, 500)]
    [InlineData(0.05, 12.5, 0)] // below one frame of a 12.5 Hz codec: refused
    public void Seconds_round_down_to_whole_frames(double seconds, double frameRate, int frames)
    {
        if (frames == 0)
        {
            var e = Assert.Throws<AssistantException>(() => TrackLength.Frames(seconds, frameRate));
            Assert.Equal(AssistantErrorKind.InvalidRequest, e.Kind);
            Assert.Contains("the minimum is 0.08 s (1 frame at 12.5 Hz", e.Message);
            return;
        }
        Assert.Equal(frames, TrackLength.Frames(seconds, frameRate));
    }

    [Fact]
    public void Less_than_one_frame_is_refused_naming_the_minimum()
    {
        var e = Assert.Throws<AssistantException>(() => TrackLength.Frames(0.01, 50, "--duration"));
        Assert.Equal("--duration of 0.01 s is shorter than one codec frame: the minimum is 0.02 s (1 frame at 50 Hz; lengths are rounded down to whole frames)", e.Message);
    }

    public static TheoryData<double?> Windows() => [null, 0.04, 0.1];

    [Theory]
    [MemberData(nameof(Windows))]
    public void The_audio_made_is_the_planned_length_for_a_sweep_of_durations(double? windowSeconds)
    {
        var manifest = ModelSetSource.Resolve(FixtureModels.WriteTinyManifest(_dir.Path, new GenerationDefaults { MaxDurationSeconds = windowSeconds })).Manifest;
        using var set = MusicGenModelSet.Load(manifest, new ComputeOptions(BackendKind.Cpu, 1));
        var hop = set.Codec.Config.HopLength;
        double[] durations = [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1, 0.13, 0.58, 1.0];
        foreach (var seconds in durations)
        {
            var sampling = new SamplingChoice(Greedy: true).Settings(manifest.Defaults);
            var track = TrackRenderer.Render(set, new TrackRequest { Text = "a", Seconds = seconds, Sampling = sampling });
            var frames = TrackLength.Frames(seconds, set.FrameRate);
            Assert.Equal(frames, track.Plan.Frames);
            Assert.True(track.Audio.FrameCount == frames * hop, $"{seconds} s, window {windowSeconds}: {track.Audio.FrameCount} samples, planned {frames} frames of {hop}");
            Assert.InRange(seconds - track.Seconds, -1e-9, 1 / set.FrameRate);
        }
    }
}
