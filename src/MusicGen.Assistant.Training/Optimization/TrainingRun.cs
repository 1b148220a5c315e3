using System.Diagnostics;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>How long a run goes and what it writes.</summary>
/// <param name="TotalSteps">Optimizer steps of the whole run (the schedule spans them).</param>
/// <param name="EvaluateEvery">Held-out evaluation every this many steps (and after the last); 0 = only after the last.</param>
/// <param name="CheckpointEvery">Checkpoint every this many steps (and after the last, and on cancellation); 0 = only then.</param>
/// <param name="OutputFolder">checkpoint.gguf, loss.csv and loss.png go here.</param>
/// <param name="StopAfter">Stop (with a checkpoint) once this many steps are done, though the schedule spans <paramref name="TotalSteps"/>: a run in parts.</param>
public sealed record RunSettings(long TotalSteps, int EvaluateEvery, int CheckpointEvery, string OutputFolder, long? StopAfter = null)
{
    public string CheckpointPath => Path.Combine(OutputFolder, "checkpoint.gguf");
    public string CsvPath => Path.Combine(OutputFolder, "loss.csv");
    public string PlotPath => Path.Combine(OutputFolder, "loss.png");
}

/// <summary>What a run did: every logged step and where its files are.</summary>
public sealed record TrainingReport(IReadOnlyList<StepRecord> History, bool Resumed, string Checkpoint, string Csv, string Plot)
{
    public double? LastValidLoss => History.LastOrDefault(h => h.ValidLoss is not null)?.ValidLoss;
    public double? FirstValidLoss => History.FirstOrDefault(h => h.ValidLoss is not null)?.ValidLoss;
}

/// <summary>
/// The training loop: resume from the output folder's checkpoint when there is one (same settings only), then steps
/// from the batch plan, held-out evaluation, checkpoints, the loss CSV and PNG, progress with the time left.
/// Cancellation checkpoints before it stops, so no finished step is lost.
/// </summary>
public static class TrainingRun
{
    public static TrainingReport Run<TItem>(Trainer<TItem> trainer, BatchPlan<TItem> plan, IReadOnlyList<IReadOnlyList<TItem>> valid,
        RunSettings settings, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (settings.TotalSteps < 1) throw new ArgumentOutOfRangeException(nameof(settings), "a run needs at least one step");
        Directory.CreateDirectory(settings.OutputFolder);
        var fingerprint = TrainingCheckpoint.Fingerprint(trainer.Settings, trainer.Seed, settings.TotalSteps, plan.BatchSize, plan.ItemCount);
        var history = new List<StepRecord>();
        var resumed = false;
        if (File.Exists(settings.CheckpointPath))
        {
            history.AddRange(TrainingCheckpoint.Load(settings.CheckpointPath, trainer, fingerprint));
            resumed = true;
        }
        var stop = Math.Min(settings.TotalSteps, settings.StopAfter ?? settings.TotalSteps);
        // the held-out loss before any step: the curve's starting point (step 0 has no training loss)
        if (!resumed && valid.Count > 0)
        {
            var (loss, metrics) = trainer.Evaluate(valid);
            history.Add(new StepRecord(0, double.NaN, 0, 0, loss, new Dictionary<string, double>(), metrics));
        }
        var clock = Stopwatch.StartNew();
        var startStep = trainer.Step;
        try
        {
            while (trainer.Step < stop)
            {
                cancellation.ThrowIfCancellationRequested();
                var r = trainer.TrainStep(plan.MicroBatches(trainer.Step), settings.TotalSteps);
                (double Loss, IReadOnlyDictionary<string, double> Metrics)? evaluated = null;
                if (valid.Count > 0 && (r.Step == settings.TotalSteps || settings.EvaluateEvery > 0 && r.Step % settings.EvaluateEvery == 0))
                    evaluated = trainer.Evaluate(valid);
                history.Add(new StepRecord(r.Step, r.Loss, r.LearningRate, r.GradientNorm, evaluated?.Loss, r.Metrics, evaluated?.Metrics));
                if (settings.CheckpointEvery > 0 && r.Step % settings.CheckpointEvery == 0 && r.Step < stop) Save(trainer, settings, fingerprint, history);
                var done = trainer.Step - startStep;
                var remaining = done > 0 ? TimeSpan.FromTicks(clock.Elapsed.Ticks / done * (stop - trainer.Step)) : (TimeSpan?)null;
                progress?.Report(new TrainingProgress(r.Step, settings.TotalSteps, r.Loss, history.LastOrDefault(h => h.ValidLoss is not null)?.ValidLoss,
                    r.LearningRate, clock.Elapsed, remaining));
            }
        }
        finally
        {
            // also on cancellation or a failed step: what was trained so far is kept
            if (trainer.Step > startStep || !resumed) Save(trainer, settings, fingerprint, history);
        }
        return new TrainingReport(history, resumed, settings.CheckpointPath, settings.CsvPath, settings.PlotPath);
    }

    private static void Save<TItem>(Trainer<TItem> trainer, RunSettings s, string fingerprint, IReadOnlyList<StepRecord> history)
    {
        TrainingCheckpoint.Save(s.CheckpointPath, trainer, fingerprint, history);
        LossCurve.WriteCsv(s.CsvPath, history);
        LossCurve.WritePng(s.PlotPath, history);
    }
}
