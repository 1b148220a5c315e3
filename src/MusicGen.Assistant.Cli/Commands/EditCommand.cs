using System.CommandLine;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.ModelSets;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga edit</c>: changes to a track the user has, written to a new file (the track itself is never touched).
/// <c>continue IN ["text"] --seconds 10</c> appends new music; <c>extend IN ["text"] --to 60</c> lengthens the track
/// to a total length (in windows when long); <c>remix IN "text"</c> re-generates the track with a new description but its
/// melody (its chroma conditions a MusicGen-Melody model).
/// </summary>
internal static class EditCommand
{
    public static Command Create(CommandHost host) =>
        new("edit", "Edit a track: continue it, extend it, or remix it with a new description (the original file is kept; the result goes to --out).")
        {
            Lengthen(host, "continue", "Append new music that continues the track (--seconds of it), optionally steered by a new description.", total: false),
            Lengthen(host, "extend", "Lengthen the track to --to seconds in all by continuing it, optionally steered by a description.", total: true),
            Remix(host),
        };

    // the same melody (the track's chroma), a new description: generation on a MusicGen-Melody model set
    private static Command Remix(CommandHost host)
    {
        var input = new Argument<string>("track") { Description = "The track whose melody to keep (any audio or video file)." };
        var text = new Argument<string>("description") { Description = "What the new version should sound like, e.g. \"string quartet\"." };
        var duration = new NumberOption<double?>("--duration", NumberOptions.Seconds, "-d") { Description = "Seconds of the result. Default: as long as the track (a longer result repeats its melody)." };
        var output = new Option<string>("--out", "-o") { Description = "File to write (.wav, or .mp3/.flac/.ogg through ffmpeg; not the track itself).", Required = true, HelpName = "FILE" };
        var format = new Option<string>("--format") { Description = "WAV sample format.", DefaultValueFactory = _ => "f32" };
        format.AcceptOnlyFromAmong("f32", "pcm16");
        var sampling = new SamplingOptions();
        var command = new Command("remix", "Re-generate a track with a new description but the same melody (needs a MusicGen-Melody model set).")
        {
            input, text, duration, output, format,
        };
        sampling.AddTo(command);
        host.Bind(command, (parsed, session) => GenerateCommand.Run(session, parsed.GetValue(sampling.Model), new RemixRequest
        {
            Track = parsed.GetValue(input)!,
            Text = parsed.GetValue(text)!,
            Seconds = parsed.GetValue(duration),
            Output = parsed.GetValue(output)!,
            Format = parsed.GetValue(format) == "pcm16" ? WavSampleFormat.Pcm16 : WavSampleFormat.Float32,
            Sampling = sampling.Read(parsed),
        }.ToGenerateRequest(session.Cancellation)));
        return command;
    }

    private static Command Lengthen(CommandHost host, string name, string description, bool total)
    {
        var input = new Argument<string>("track") { Description = "The track to continue: any audio or video file (WAV, or anything ffmpeg reads: mp3, flac, ogg, m4a, mp4...); it is read at the model's rate and channels (32 kHz)." };
        var text = new Argument<string?>("description") { Description = "What the new part should sound like; leave out to continue from the audio alone.", Arity = ArgumentArity.ZeroOrOne };
        var length = total
            ? new NumberOption<double>("--to", NumberOptions.Seconds) { Description = "Length of the result in seconds, the track included.", Required = true }
            : new NumberOption<double>("--seconds", NumberOptions.Seconds, "-s") { Description = "Seconds of new music to append.", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out", "-o")
        {
            Description = "WAV file to write (not the track itself): the track's samples (as read at the model's rate) unchanged except its last " +
                          $"{TrackExtension.SeamSeconds * 1000:0} ms, which are crossfaded into the new part, then the new music.",
            Required = true, HelpName = "FILE",
        };
        var format = new Option<string>("--format") { Description = "WAV sample format.", DefaultValueFactory = _ => "f32" };
        format.AcceptOnlyFromAmong("f32", "pcm16");
        var sampling = new SamplingOptions();
        var command = new Command(name, description) { input, text, length, output, format };
        sampling.AddTo(command);
        host.Bind(command, (parsed, session) => Extend(session, parsed.GetValue(sampling.Model), new ExtendRequest
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

    private static int Extend(CliSession session, string? modelOption, ExtendRequest request)
    {
        var console = session.Console;
        var job = ExtendJob.Create(request);
        var model = ConsoleProgress.Run(session, progress => ModelSetSource.Resolve(modelOption, progress, session.Cancellation));
        job.CheckModelSet(model.Manifest);
        if (model.IsDemo) GenerationOutput.WarnDemo(console);
        using var set = MusicGenModelSet.Load(model.Manifest, session.Compute);
        using var setup = ConsoleProgress.Run(session, progress => job.Prepare(set, progress, session.Cancellation));

        var text = request.Text?.Trim();
        console.Field("model", $"{model.Manifest.Name} ({model.Manifest.Source})");
        console.Field("track", $"'{request.Input}': {Units.Seconds(setup.TrackSeconds)}, {setup.Input.SampleRate} Hz, {setup.Input.ChannelCount} ch (kept bit for bit except the last {TrackExtension.SeamSeconds * 1000:0} ms, crossfaded into the new part)");
        console.Field("adds", $"{Units.Seconds(setup.NewSeconds)} ({setup.NewFrames} frames) " +
                              (text is null ? "continuing the audio alone (no description: unconditional, guidance off)" : $"described as \"{text}\""));
        console.Field("sampling", GenerationOutput.Sampling(setup.Sampling, setup.Seed, request.Sampling.Seed is not null));

        var result = ConsoleProgress.Run(session, progress => setup.Run(progress, session.Cancellation));
        console.Line($"Wrote '{request.Output}'{(model.IsDemo ? " (UNTRAINED DEMO MODEL output)" : "")}: {Units.Seconds(setup.TrackSeconds)} of the track + {Units.Seconds(setup.NewSeconds)} new = {Units.Seconds(result.Seconds)}");
        GenerationOutput.Peak(console, result.Peak, canNormalize: false);
        console.Field("time", $"{Units.Duration(result.Time)}, {Units.RealTimeFactor(result.Time, setup.NewSeconds)} for the new audio");
        return ExitCodes.Success;
    }
}
