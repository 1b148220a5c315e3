using MusicGen.Assistant.Progress;
using Spectre.Console;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// Shows the progress a library call reports (<see cref="JobProgress"/>, one stage after another): Spectre progress
/// bars (count, elapsed, ETA) on an interactive terminal, otherwise plain lines on standard error (after the first
/// 2 s, every 10 % or 10 s, and a final one per stage), so the logs of tests and CI stay readable.
/// </summary>
internal static class ConsoleProgress
{
    public static T Run<T>(CliSession session, Func<IProgress<JobProgress>, T> work)
    {
        if (!session.Console.Interactive) return work(new PlainProgress(session.Console.Error));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new SpectreProgress(ctx)));
    }

    // one Spectre task per stage, added when the stage first reports
    private sealed class SpectreProgress(ProgressContext context) : IProgress<JobProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(JobProgress p)
        {
            if (!_tasks.TryGetValue(p.Stage, out var task)) _tasks[p.Stage] = task = context.AddTask(p.Stage, maxValue: 1);
            task.MaxValue = Math.Max(1, p.Total);
            task.Value = p.Finished ? task.MaxValue : p.Done;
            task.Description = $"{p.Stage} {p.Done}/{p.Total} {p.Unit}";
        }
    }

    // "encode: 120/250 frames (48%), elapsed 0:03, ETA 0:03" lines, throttled; "encode: 250/250 frames done in 5.12 s"
    private sealed class PlainProgress(TextWriter writer) : IProgress<JobProgress>
    {
        private string? _stage;
        private int _lastDecile;
        private TimeSpan _lastPrint;

        public void Report(JobProgress p)
        {
            if (p.Stage != _stage) (_stage, _lastDecile, _lastPrint) = (p.Stage, -1, TimeSpan.Zero);
            if (p.Finished)
            {
                writer.WriteLine($"{p.Stage}: {p.Done}/{p.Total} {p.Unit} done in {Units.Duration(p.Elapsed)}");
                _stage = null;
                return;
            }
            if (p.Done >= p.Total || p.Elapsed < TimeSpan.FromSeconds(2)) return; // quick stages print only their final line
            var decile = (int)(10 * p.Fraction);
            if (decile <= _lastDecile && p.Elapsed - _lastPrint <= TimeSpan.FromSeconds(10)) return;
            (_lastDecile, _lastPrint) = (decile, p.Elapsed);
            var eta = p.Remaining is { } left ? Units.Duration(left) : "?";
            writer.WriteLine($"{p.Stage}: {p.Done}/{p.Total} {p.Unit} ({p.Fraction:P0}), elapsed {Units.Duration(p.Elapsed)}, ETA {eta}");
        }
    }
}
