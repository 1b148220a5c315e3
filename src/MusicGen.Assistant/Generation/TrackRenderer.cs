using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>A rendered track: the audio (the set's rate and channels), the plan it followed and the sampling used.</summary>
/// <param name="Sampling">As used: with neither text nor melody guidance is off (it would compare the null condition with itself).</param>
public sealed record RenderedTrack(AudioBuffer Audio, TrackPlan Plan, SamplingSettings Sampling)
{
    public double Seconds => Audio.FrameCount / (double)Audio.SampleRate;
}

/// <summary>
/// Text (and optionally a continuation prompt or a melody) to audio on a loaded MusicGen set: conditioning, the decoder
/// in one pass or in overlapping windows (stage "generate" by default; cancellation is checked every step), EnCodec.
/// With <c>audio</c>, the track's samples are also handed out in order as they are decoded, while the decoder still
/// runs (<see cref="AudioChunk"/>, every channel, across long-form windows).
/// </summary>
public static class TrackRenderer
{
    public static RenderedTrack Render(MusicGenModelSet set, TrackRequest request, IProgress<JobProgress>? progress = null,
        CancellationToken cancellation = default, string stage = "generate", Action<AudioChunk>? audio = null) => AssistantException.Guard(() =>
    {
        var text = request.Text is { } given ? PromptList.Checked(given.Trim(), "the text") : null;
        using var _ = set.EnterJob(cancellation);
        var plan = request.Plan ?? TrackPlan.For(set, request.Seconds, TrackConditioning.PrefixLength(set, text));
        var item = TrackConditioning.For(set, text, request.Melody, request.Sampling, plan.WindowFrames);
        var samples = plan.Run(set, item.Conditioning, item.Sampling, request.Seed, stage, progress, cancellation, request.Continuation, item.PerWindow, audio);
        return new RenderedTrack(new AudioBuffer(set.SampleRate, samples), plan, item.Sampling);
    });
}
