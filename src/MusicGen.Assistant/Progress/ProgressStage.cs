using System.Diagnostics;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Progress;

/// <summary>
/// One stage of a job as the layers below report it (chunks, steps, windows, tensors), turned into
/// <see cref="JobProgress"/> with elapsed time and an estimate of the time left. Every report first checks the
/// cancellation token: the models report between chunks, steps and windows, so that is where a job stops.
/// </summary>
internal sealed class ProgressStage(IProgress<JobProgress>? sink, string stage, string unit, CancellationToken cancellation)
    : IProgress<ChunkProgress>, IProgress<GenerationProgress>, IProgress<LongFormProgress>, IProgress<ConversionProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _done, _total;

    public CancellationToken Cancellation => cancellation;

    /// <summary>Runs <paramref name="work"/> as one stage: updates while it runs, a finished report when it returns.</summary>
    public static T Run<T>(IProgress<JobProgress>? sink, string stage, string unit, CancellationToken cancellation, Func<ProgressStage, T> work)
    {
        cancellation.ThrowIfCancellationRequested();
        var progress = new ProgressStage(sink, stage, unit, cancellation);
        var result = work(progress);
        progress.Finish();
        return result;
    }

    public void Report(long done, long total)
    {
        cancellation.ThrowIfCancellationRequested();
        (_done, _total) = (done, total);
        sink?.Report(Snapshot(finished: false));
    }

    public void Report(ChunkProgress value) => Report(value.Done, value.Total);
    public void Report(GenerationProgress value) => Report(value.Step, value.Steps);
    public void Report(LongFormProgress value) => Report(value.Frames, value.TotalFrames);
    public void Report(ConversionProgress value) => Report(value.Done, value.Total);

    private void Finish()
    {
        _done = Math.Max(_done, _total);
        sink?.Report(Snapshot(finished: true));
    }

    private JobProgress Snapshot(bool finished)
    {
        var elapsed = _clock.Elapsed;
        var fraction = _total <= 0 ? 0 : Math.Clamp((double)_done / _total, 0, 1);
        TimeSpan? remaining = finished ? TimeSpan.Zero : fraction > 0 ? elapsed * ((1 - fraction) / fraction) : null;
        return new JobProgress(stage, unit, _done, _total, elapsed, remaining, finished);
    }
}
