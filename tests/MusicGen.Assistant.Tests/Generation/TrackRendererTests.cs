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

    [Fact]
    public void Cancelling_between_encodec_chunks_stops_the_decode()
    {
        // the decode after the generation (no audio sink), cancelled on the worker's own thread at its first chunk
        // report: deterministic, unlike a consumer of the conversation's event stream, which may lag the worker
        var request = Request("jazz", 1) with { Seconds = 8 };
        var whole = new ProgressRecorder();
        TrackRenderer.Render(_set, request, whole);
        var chunks = whole.Reports.Count(r => r.Stage == "decode" && !r.Finished);
        Assert.True(chunks >= 2, $"{chunks} decode chunk report(s): too short to cancel between chunks");
        using var cts = new CancellationTokenSource();
        var recorder = new ProgressRecorder(cts, "decode");
        Assert.ThrowsAny<OperationCanceledException>(() => TrackRenderer.Render(_set, request, recorder, cts.Token));
        var decode = Assert.Single(recorder.Reports, r => r.Stage == "decode");
        Assert.True(decode.Done < decode.Total, $"cancelled at chunk {decode.Done} of {decode.Total}");
        Assert.NotNull(TrackRenderer.Render(_set, Request("jazz", 1))); // the gate was released
    }

    [Fact]
    public void Streamed_audio_starts_before_the_generation_ends_and_adds_up_to_the_track()
    {
        // long enough for several one-second chunks, short enough for one decoder pass (the streamed path)
        var seconds = Math.Min(2.5, (_set.Config.MaxPositionEmbeddings - _set.Config.NumCodebooks - 2) / _set.FrameRate);
        var request = Request("calm piano", 5) with { Seconds = seconds };
        var recorder = new ProgressRecorder();
        var chunks = new List<(AudioChunk Chunk, int StepsDone)>();
        var streamed = TrackRenderer.Render(_set, request, recorder, audio: c => chunks.Add((c, recorder.Reports.Count)));
        var plain = TrackRenderer.Render(_set, request);

        Assert.True(chunks.Count >= 2, $"{chunks.Count} chunk(s)");
        var steps = recorder.Reports.Count(r => !r.Finished);
        Assert.True(chunks[0].StepsDone < steps, $"first chunk after {chunks[0].StepsDone} of {steps} steps");
        StreamedAudio.AssertAddsUpTo(chunks.Select(c => c.Chunk).ToList(), streamed, plain);
    }

    [Fact]
    public void A_track_longer_than_the_window_streams_from_its_first_window_and_adds_up_to_the_track()
    {
        var plan = TrackPlan.For(_set, 1);
        // three windows or more: window, then two strides of new frames, plus one second
        var seconds = (plan.WindowFrames + 2 * plan.StrideFrames) / _set.FrameRate + 1;
        Assert.True(TrackPlan.For(_set, seconds).IsLongForm);
        var request = Request("calm piano", 6) with { Seconds = seconds };
        var recorder = new ProgressRecorder();
        var chunks = new List<(AudioChunk Chunk, int Reports)>();
        var streamed = TrackRenderer.Render(_set, request, recorder, audio: c => chunks.Add((c, recorder.Reports.Count)));
        var plain = TrackRenderer.Render(_set, request);

        Assert.True(chunks.Count >= 3, $"{chunks.Count} chunk(s)");
        // the first sound comes while the first window runs, long before the last frame
        var generated = recorder.Reports.Where(r => r.Stage == "generate").ToList();
        var firstWindowEnds = generated.FindIndex(r => r.Done >= plan.WindowFrames);
        Assert.True(chunks[0].Reports <= firstWindowEnds + 1, $"first chunk after {chunks[0].Reports} reports; the first window ends at report {firstWindowEnds}");
        StreamedAudio.AssertAddsUpTo(chunks.Select(c => c.Chunk).ToList(), streamed, plain);
    }
}

/// <summary>Streaming a stereo model's track (both channels decoded chunk by chunk) on the musicgen-stereo-tiny fixture.</summary>
public sealed class StereoStreamingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly MusicGenModelSet _set;

    public StereoStreamingTests()
    {
        var manifest = ModelSetSource.Resolve(FixtureModels.WriteManifest(_dir.Path, "musicgen-stereo-tiny")).Manifest;
        _set = MusicGenModelSet.Load(manifest, new ComputeOptions(BackendKind.Cpu, 1));
    }

    public void Dispose()
    {
        _set.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Both_channels_stream_in_step_and_equal_the_decode_after_the_generation()
    {
        Assert.Equal(2, _set.Config.AudioChannels);
        var plan = TrackPlan.For(_set, 1);
        foreach (var seconds in new[] { Math.Min(2.5, (plan.WindowFrames - 1) / _set.FrameRate), (plan.WindowFrames + plan.StrideFrames) / _set.FrameRate + 0.5 })
        {
            var request = new TrackRequest { Text = "strings", Seconds = seconds, Sampling = new SamplingChoice().Settings(new GenerationDefaults()), Seed = 9 };
            var chunks = new List<AudioChunk>();
            var streamed = TrackRenderer.Render(_set, request, audio: chunks.Add);
            var plain = TrackRenderer.Render(_set, request);

            Assert.True(chunks.Count >= 2, $"{seconds} s: {chunks.Count} chunk(s)");
            Assert.All(chunks, c => Assert.Equal(2, c.Channels.Length));
            StreamedAudio.AssertAddsUpTo(chunks, streamed, plain);
            Assert.NotEqual(streamed.Audio.Channels[0], streamed.Audio.Channels[1]);
        }
    }
}

/// <summary>What every streamed render must show: gapless chunks in order, the last one marked, adding up to the track.</summary>
internal static class StreamedAudio
{
    public static void AssertAddsUpTo(IReadOnlyList<AudioChunk> chunks, RenderedTrack streamed, RenderedTrack plain)
    {
        Assert.True(chunks[^1].Last);
        Assert.Equal(chunks.Select(c => c.Offset), chunks.Scan(0L, (at, c) => at + c.FrameCount));
        for (var ch = 0; ch < streamed.Audio.ChannelCount; ch++)
        {
            var joined = chunks.SelectMany(c => c.Channels[ch]).ToArray();
            Assert.Equal(streamed.Audio.Channels[ch], joined);
            // the same codes decoded in one go after the generation: chunking changes nothing beyond float rounding
            Assert.Equal(plain.Audio.FrameCount, joined.Length);
            var worst = joined.Zip(plain.Audio.Channels[ch], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 1e-4f, $"channel {ch}: streamed and plain audio differ by up to {worst}");
        }
    }
}

internal static class ScanExtensions
{
    /// <summary>The running totals before each element: seed, seed + f(0), ...</summary>
    public static IEnumerable<TAcc> Scan<T, TAcc>(this IEnumerable<T> items, TAcc seed, Func<TAcc, T, TAcc> next)
    {
        var acc = seed;
        foreach (var item in items)
        {
            yield return acc;
            acc = next(acc, item);
        }
    }
}
