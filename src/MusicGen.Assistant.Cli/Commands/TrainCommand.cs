using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.Jobs;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Settings;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga train stage1|stage2|stage3|musicgen --config FILE</c>: parse, run the training job of the Training library
/// (settings in the file, e.g. under datasets/), print progress and where the results are. Rerunning resumes.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CommandHost host)
    {
        var stage = new Argument<string>("stage") { Description = "stage1 (adapters, gates), stage2 (projector), stage3 (instructions) or musicgen (LM fine-tuning)." };
        stage.AcceptOnlyFromAmong("stage1", "stage2", "stage3", "musicgen");
        var config = new Option<string>("--config", "-c") { Description = "Training settings file (JSON; see datasets/README.md).", Required = true };
        var command = new Command("train", "Train M2UGen's stages or fine-tune MusicGen on ggml; rerun to resume from the output folder's checkpoint.") { stage, config };
        host.Bind(command, (parsed, session) =>
        {
            session.Natives();
            var settings = Load(() => TrainingConfig.Load(InputFiles.Require(parsed.GetValue(config)!, "settings file"), Enum.Parse<TrainingStage>(parsed.GetValue(stage)!, true)));
            settings = settings with { Threads = settings.Threads ?? session.Threads.Count };
            var console = session.Console;
            var result = Load(() => TrainingJob.Run(settings, new Progress<TrainingProgress>(p => console.Line(p.ToString())), m => console.Line(m), session.Cancellation));
            console.Line($"Trained {TrainingConfig.Name(settings.Stage)}: {result.TrainExamples} training / {result.ValidExamples} held-out examples" +
                         (result.Skipped > 0 ? $", {result.Skipped} skipped (too long)" : ""));
            if (result.Report.FirstValidLoss is { } before && result.Report.LastValidLoss is { } after) console.Field("held-out", $"{before:0.0000} -> {after:0.0000}");
            console.Field("checkpoint", result.Report.Checkpoint);
            console.Field("curve", $"{result.Report.Csv}, {result.Report.Plot}");
            foreach (var f in result.TrainedFiles) console.Field("trained", f);
            if (result.TrainedManifest is { } m) console.Field("model set", m);
            return ExitCodes.Success;
        });
        return command;
    }

    // settings and data problems are the user's to fix: one line naming file and field
    private static T Load<T>(Func<T> run)
    {
        try { return run(); }
        catch (SettingsException e) { throw new CliException(e.Message, ExitCodes.Usage); }
        catch (DatasetFormatException e) { throw new CliException(e.Message, ExitCodes.Failed); }
        catch (TrainingDivergedException e) { throw new CliException(e.Message, ExitCodes.Failed); }
    }
}
