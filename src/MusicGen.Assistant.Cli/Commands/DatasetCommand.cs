using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.Settings;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga dataset build --spec FILE --out DIR</c>: writes a procedural dataset (Training library) and says what it wrote.</summary>
internal static class DatasetCommand
{
    public static Command Create(CommandHost host)
    {
        var spec = new Option<string>("--spec", "-s") { Description = "Procedural dataset specification (e.g. datasets/synthetic-tiny.json).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the dataset into.", Required = true };
        var build = new Command("build", "Write a seeded procedural music dataset (audio, captions, images, videos, edits, MusicQA, Alpaca, splits).") { spec, output };
        host.Bind(build, (parsed, session) =>
        {
            SyntheticDatasetSpec s;
            try { s = SyntheticDatasetSpec.Load(InputFiles.Require(parsed.GetValue(spec)!, "dataset specification")); }
            catch (SettingsException e) { throw new CliException(e.Message, ExitCodes.Usage); }
            var console = session.Console;
            var result = SyntheticDatasetBuilder.Build(s, parsed.GetValue(output)!,
                new Progress<DatasetBuildProgress>(p => { if (p.Done % 100 == 0 || p.Done == p.Total) console.Line($"{p.Done}/{p.Total} {p.Item}"); }), session.Cancellation);
            console.Line($"Dataset '{s.Name}' in {result.Layout.Root}");
            console.Field("clips", $"{result.Items} ({string.Join(", ", s.SampleRates.Select(r => $"{r} Hz"))})");
            console.Field("images", result.Images.ToString());
            console.Field("videos", result.Videos.ToString());
            console.Field("edits", result.EditPairs.ToString());
            console.Field("music qa", result.MusicQa.ToString());
            console.Field("alpaca", result.Alpaca.ToString());
            return ExitCodes.Success;
        });
        return new Command("dataset", "Procedural training data.") { build };
    }
}
