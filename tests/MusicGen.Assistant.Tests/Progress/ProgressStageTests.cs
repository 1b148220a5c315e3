using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Tests.Progress;

public class ProgressStageTests
{
    private sealed class Recorder : IProgress<JobProgress>
    {
        public List<JobProgress> Reports { get; } = [];
        public void Report(JobProgress value) => Reports.Add(value);
    }

    [Fact]
    public void A_stage_reports_its_updates_then_one_finished_report()
    {
        var sink = new Recorder();
        var result = ProgressStage.Run(sink, "encode", "frames", CancellationToken.None, stage =>
        {
            for (var i = 1; i <= 4; i++) stage.Report(i, 5);
            return 42;
        });
        Assert.Equal(42, result);
        Assert.Equal([1L, 2, 3, 4, 5], sink.Reports.Select(r => r.Done));
        Assert.All(sink.Reports, r => Assert.Equal(("encode", "frames", 5L), (r.Stage, r.Unit, r.Total)));
        Assert.Equal([false, false, false, false, true], sink.Reports.Select(r => r.Finished));
        Assert.Equal(TimeSpan.Zero, sink.Reports[^1].Remaining);
        Assert.All(sink.Reports.Skip(1), r => Assert.True(r.Elapsed >= sink.Reports[0].Elapsed));
        Assert.Equal(0.8, sink.Reports[3].Fraction, 9);
    }

    [Fact]
    public void A_report_after_cancellation_stops_the_work_and_no_finished_report_follows()
    {
        using var cts = new CancellationTokenSource();
        var sink = new Recorder();
        var steps = 0;
        Assert.Throws<OperationCanceledException>(() => ProgressStage.Run(sink, "generate", "steps", cts.Token, stage =>
        {
            for (var i = 1; i <= 10; i++)
            {
                steps++;
                if (i == 3) cts.Cancel();
                stage.Report(i, 10);
            }
            return 0;
        }));
        Assert.Equal(3, steps);
        Assert.DoesNotContain(sink.Reports, r => r.Finished);
    }
}
