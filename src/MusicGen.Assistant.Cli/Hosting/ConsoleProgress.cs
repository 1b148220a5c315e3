using System.Diagnostics;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;
using Spectre.Console;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// Shows the progress of one long step: a Spectre progress bar (count, elapsed, ETA) on an interactive terminal,
/// otherwise plain lines on standard error (after the first 2 s, every 10 % or 10 s, and a final one), so the logs
/// of tests and CI stay readable. Every report also checks for Ctrl+C.
/// </summary>
internal static class ConsoleProgress
{
    public static T Run<T>(CliSession session, string label, string unit, Func<ProgressReporter, T> work)
    {
        var token = session.Cancellation;
        if (!session.Console.Interactive)
        {
            var plain = new PlainProgressLines(session.Console.Error, label, unit);
            var result = work(new ProgressReporter(plain.Update, token));
            plain.Finish();
            return result;
        }
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: 1);
                var result = work(new ProgressReporter((done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    task.Description = $"{label} {done}/{total} {unit}";
                }, token));
                task.Value = task.MaxValue;
                return result;
            });
    }
}

/// <summary>Receives progress from the library APIs (chunks, tensors) and forwards it as done / total.</summary>
internal sealed class ProgressReporter(Action<long, long> update, CancellationToken cancellation)
    : IProgress<ChunkProgress>, IProgress<ConversionProgress>, IProgress<GenerationProgress>,
      IProgress<LongFormProgress>
{
    public void Report(long done, long total)
    {
        cancellation.ThrowIfCancellationRequested();
        update(done, total);
    }

    public void Report(ChunkProgress value) => Report(value.Done, value.Total);
    public void Report(ConversionProgress value) => Report(value.Done, value.Total);
    public void Report(GenerationProgress value) => Report(value.Step, value.Steps);
    public void Report(LongFormProgress value) => Report(value.Frames, value.TotalFrames);
}

/// <summary>"encode: 120/250 frames (48%), elapsed 0:03, ETA 0:03" lines, throttled.</summary>
internal sealed class PlainProgressLines(TextWriter writer, string label, string unit)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _done, _total;
    private int _lastDecile = -1;
    private TimeSpan _lastPrint;

    public void Update(long done, long total)
    {
        (_done, _total) = (done, total);
        var decile = total <= 0 ? 0 : (int)(10 * done / total);
        if (done >= total) return; // the final line comes from Finish
        // quick steps print only their final line; longer ones every 10 % or 10 s
        if (_clock.Elapsed < TimeSpan.FromSeconds(2)) return;
        if (decile > _lastDecile || _clock.Elapsed - _lastPrint > TimeSpan.FromSeconds(10))
        {
            _lastDecile = decile;
            Print();
        }
    }

    public void Finish()
    {
        _done = Math.Max(_done, _total);
        writer.WriteLine($"{label}: {_done}/{_total} {unit} done in {Units.Duration(_clock.Elapsed)}");
    }

    private void Print()
    {
        _lastPrint = _clock.Elapsed;
        var fraction = _total <= 0 ? 0 : (double)_done / _total;
        var eta = fraction > 0 ? Units.Duration(_clock.Elapsed * ((1 - fraction) / fraction)) : "?";
        writer.WriteLine($"{label}: {_done}/{_total} {unit} ({fraction:P0}), elapsed {Units.Duration(_clock.Elapsed)}, ETA {eta}");
    }
}
