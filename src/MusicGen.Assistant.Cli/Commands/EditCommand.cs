using System.CommandLine;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Generation;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga edit</c>: changes to a track the user has, written to a new file (the track itself is never touched).
/// <c>continue IN ["text"] --seconds 10</c> appends new music; <c>extend IN ["text"] --to 60</c> lengthens the track
/// to a total length (in windows when long).
/// </summary>
internal static class EditCommand
{
    public static Command Create(CommandHost host) =>
        new("edit", "Edit a track: continue it or extend it (the original file is kept; the result goes to --out).")
        {
            Lengthen(host, "continue", "Append new music that continues the track (--seconds of it), optionally steered by a new description.", total: false),
            Lengthen(host, "extend", "Lengthen the track to --to seconds in all by continuing it, optionally steered by a description.", total: true),
        };

    private static Command Lengthen(CommandHost host, string name, string description, bool total)
    {
        var input = new Argument<string>("track") { Description = "The track to continue (WAV)." };
        var text = new Argument<string?>("description") { Description = "What the new part should sound like; leave out to continue from the audio alone.", Arity = ArgumentArity.ZeroOrOne };
        var length = total
            ? new Option<double>("--to") { Description = "Length of the result in seconds, the track included.", Required = true }
            : new Option<double>("--seconds", "-s") { Description = "Seconds of new music to append.", DefaultValueFactory = _ => 10 };
        length.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<double>();
            if (!(v > 0 && v <= GenerateCommand.MaxDurationSeconds))
                r.AddError($"{(total ? "--to" : "--seconds")} must be a positive number of seconds up to {GenerateCommand.MaxDurationSeconds:0} (1 hour); got {Units.Number(v)}.");
        });
        var output = new Option<string>("--out", "-o") { Description = "WAV file to write (not the track itself).", Required = true, HelpName = "FILE" };
        var format = new Option<string>("--format") { Description = "WAV sample format.", DefaultValueFactory = _ => "f32" };
        format.AcceptOnlyFromAmong("f32", "pcm16");
        var sampling = new SamplingOptions();
        var command = new Command(name, description) { input, text, length, output, format };
        sampling.AddTo(command);
        host.Bind(command, (parsed, session) => EditJob.Extend(session, new ExtendOptions
        {
            Input = parsed.GetValue(input)!,
            Text = parsed.GetValue(text),
            Output = parsed.GetValue(output)!,
            AddSeconds = total ? null : parsed.GetValue(length),
            TotalSeconds = total ? parsed.GetValue(length) : null,
            Sampling = sampling.Read(parsed),
            Format = parsed.GetValue(format) == "pcm16" ? WavSampleFormat.Pcm16 : WavSampleFormat.Float32,
        }));
        return command;
    }
}
