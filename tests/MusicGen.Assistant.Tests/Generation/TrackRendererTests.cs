using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Generation;

/// <summary>One loaded model set serving many renders (as the chat service keeps it), on the musicgen-tiny fixture.</summary>
public sealed class TrackRendererTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly MusicGenModelSet _set;

    public TrackRendererTests()
    {
        var manifest = ModelSetSource.Resolve(FixtureModels.WriteTinyManifest(_dir.Path)).Manifest;
        _set = MusicGenModelSet.Load(manifest, new ComputeOptions(BackendKind.Cpu, 1));
    }

    public void Dispose()
    {
        _set.Dispose();
        _dir.Dispose();
    }

    private TrackRequest Request(string text, ulong seed) => new()
    {
        Text = text, Seconds = 0.3, Sampling = new SamplingChoice().Settings(new GenerationDefaults()), Seed = seed,
    };

    [Fact]
    public void A_loaded_set_renders_many_tracks_and_concurrent_callers_take_turns()
    {
        var first = TrackRenderer.Render(_set, Request("calm piano", 3));
        var other = TrackRenderer.Render(_set, Request("calm piano", 4));
        var frames = MusicGenGenerationRequest.FramesForDuration(0.3, _set.FrameRate);
        Assert.Equal(frames * _set.Codec.Config.HopLength, first.Audio.FrameCount);
        Assert.NotEqual(first.Audio.Channels[0], other.Audio.Channels[0]);

        // four callers at once on the same set: the gate runs them one at a time, each as if alone
        var results = new RenderedTrack[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = TrackRenderer.Render(_set, Request("calm piano", 3)));
        Assert.All(results, r => Assert.Equal(first.Audio.Channels[0], r.Audio.Channels[0]));
    }

    [Fact]
    public void Progress_comes_as_steps_of_the_generate_stage_ending_with_a_finished_report()
    {
        var recorder = new ProgressRecorder();
        TrackRenderer.Render(_set, Request("jazz", 1), recorder);
        var steps = MusicGenGenerationRequest.MaxNewTokensForFrames(MusicGenGenerationRequest.FramesForDuration(0.3, _set.FrameRate), _set.Config);
        // the generate stage, then EnCodec's decode stage (a report per chunk)
        var generate = recorder.Reports.TakeWhile(r => r.Stage == "generate").ToList();
        Assert.All(generate, r => Assert.Equal(("generate", "steps", (long)steps), (r.Stage, r.Unit, r.Total)));
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (long)i).Append(steps), generate.Select(r => r.Done));
        Assert.True(generate[^1].Finished);
        Assert.Single(generate, r => r.Finished);
        var decode = recorder.Reports.Skip(generate.Count).ToList();
        Assert.All(decode, r => Assert.Equal(("decode", "chunks"), (r.Stage, r.Unit)));
        Assert.True(decode[^1].Finished);
    }

    [Fact]
    public void Cancelling_stops_between_steps_and_the_set_serves_the_next_job()
    {
        using var cts = new CancellationTokenSource();
        var recorder = new ProgressRecorder(cts);
        Assert.ThrowsAny<OperationCanceledException>(() => TrackRenderer.Render(_set, Request("jazz", 1), recorder, cts.Token));
        Assert.Single(recorder.Reports); // cancelled at the first step's report: the second step never ran
        Assert.NotNull(TrackRenderer.Render(_set, Request("jazz", 1))); // the gate was released
    }
}
