using MusicGen.Assistant.Files;
using System.Diagnostics;
using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Cli.Commands;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>What <c>mga edit continue|extend</c> was asked for.</summary>
internal sealed record ExtendOptions
{
    public required string Input { get; init; }
    public required string Output { get; init; }
    public string? Text { get; init; }

    /// <summary>Seconds to add (continue) ...</summary>
    public double? AddSeconds { get; init; }

    /// <summary>... or the length of the result (extend).</summary>
    public double? TotalSeconds { get; init; }

    public required SamplingChoice Sampling { get; init; }
    public WavSampleFormat Format { get; init; } = WavSampleFormat.Float32;
}

/// <summary>
/// The body of <c>mga edit continue</c> and <c>mga edit extend</c>: both keep the user's track untouched and append
/// music that continues it (<see cref="TrackExtension"/>), steered by a new description or, without one, by the audio
/// alone (unconditional, guidance off). They differ only in how the length is given.
/// </summary>
internal static class EditJob
{
    public static int Extend(CliSession session, ExtendOptions o)
    {
        var console = session.Console;
        var input = InputFiles.Require(o.Input, "track");
        var output = Path.GetFullPath(o.Output);
        if (string.Equals(input, output, StringComparison.Ordinal))
            throw new CliException($"--out '{o.Output}' is the track itself; write the edit to a new file so the original is kept", ExitCodes.Usage);
        if (Directory.Exists(output)) throw new CliException($"output WAV '{o.Output}' is a folder; give a file name", ExitCodes.Usage);
        if (o.Text is { } t && string.IsNullOrWhiteSpace(t)) throw new CliException("the description is empty; leave it out to continue from the audio alone", ExitCodes.Usage);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        GenerateJob.CheckWritable(output, o.Output);

        var manifest = ConsoleProgress.Run(session, progress => ModelSetSource.Resolve(o.Sampling.Model, progress, session.Cancellation)).Manifest;
        if (manifest.Demo) GenerateJob.WarnDemo(console);
        using var set = MusicGenModelSet.Load(manifest, session.Compute);
        var channels = set.Config.AudioChannels;
        var format = MediaToModelInput.Inspect(input, channels);
        if (channels == 2 && format.ChannelCount != 2)
            throw new CliException($"track '{o.Input}' has {format.ChannelCount} channel(s); this stereo model continues stereo audio only (2 channels)");
        if (format.FrameCount == 0) throw new CliException($"track '{o.Input}' holds no audio (0 frames)");

        var clock = Stopwatch.StartNew();
        var rate = set.Codec.Config.SamplingRate;
        using var track = ConsoleProgress.Run(session, progress =>
            MediaToModelInput.Spool(input, rate, channels, Path.GetDirectoryName(output)!, Path.GetFileName(output), progress, "read track", session.Cancellation));
        var trackSeconds = track.Length / (double)rate;
        var addSeconds = o.AddSeconds ?? o.TotalSeconds!.Value - trackSeconds;
        if (o.TotalSeconds is { } total && addSeconds * set.FrameRate < 1)
            throw new CliException($"track '{o.Input}' is already {Units.Seconds(trackSeconds)} long; --to {Units.Number(total)} must be at least one frame ({Units.Seconds(1 / set.FrameRate)}) longer", ExitCodes.Usage);
        var newFrames = MusicGenGenerationRequest.FramesForDuration(addSeconds, set.FrameRate);

        var sampling = o.Sampling.Settings(manifest.Defaults);
        var seed = o.Sampling.Seed ?? (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);
        // no description: the null condition in both guidance halves (a melody model: null melody, empty text) = no guidance
        var conditioning = TrackConditioning.ForText(set, o.Text?.Trim());
        var used = o.Text is null ? sampling with { GuidanceScale = 1 } : sampling;
        console.Field("model", $"{manifest.Name} ({manifest.Source})");
        console.Field("track", $"'{o.Input}': {Units.Seconds(trackSeconds)}, {format.SampleRate} Hz, {format.ChannelCount} ch (kept as it is)");
        console.Field("adds", $"{Units.Seconds(newFrames / set.FrameRate)} ({newFrames} frames) " +
                              (o.Text is null ? "continuing the audio alone (no description: unconditional, guidance off)" : $"described as \"{o.Text.Trim()}\""));
        console.Field("sampling", SamplingChoice.Describe(used) + $", seed {seed}" + (o.Sampling.Seed is null ? $" (pass --seed {seed} to repeat)" : ""));

        TrackExtension.Run(session, set, track, input, newFrames, conditioning, TrackConditioning.PrefixLength(set, o.Text?.Trim()), used, seed, output, o.Format);
        var seconds = trackSeconds + newFrames / set.FrameRate;
        console.Line($"Wrote '{o.Output}'{(manifest.Demo ? " (UNTRAINED DEMO MODEL output)" : "")}: {Units.Seconds(trackSeconds)} of the track + {Units.Seconds(newFrames / set.FrameRate)} new = {Units.Seconds(seconds)}");
        console.Field("time", $"{Units.Duration(clock.Elapsed)}, {Units.RealTimeFactor(clock.Elapsed, newFrames / set.FrameRate)} for the new audio");
        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>mga edit remix</c>: the track's melody (its chroma, as MusicGen-Melody takes it) with a new description, as
    /// long as the track unless a duration is given. It is <c>generate "text" --melody track</c> with those defaults.
    /// </summary>
    public static int Remix(CliSession session, string track, string text, double? seconds, string output, WavSampleFormat format, SamplingChoice sampling)
    {
        var input = InputFiles.Require(track, "track");
        if (string.Equals(input, Path.GetFullPath(output), StringComparison.Ordinal))
            throw new CliException($"--out '{output}' is the track itself; write the remix to a new file so the original is kept", ExitCodes.Usage);
        if (string.IsNullOrWhiteSpace(text)) throw new CliException("the description is empty; say what the new version should sound like", ExitCodes.Usage);
        if (seconds is null)
        {
            var info = MediaToModelInput.Inspect(input, 1, session.Cancellation);
            seconds = info.Duration?.TotalSeconds ?? throw new CliException($"track '{track}' does not say how long it is; give --duration");
            if (!(seconds > 0)) throw new CliException($"track '{track}' holds no audio");
            seconds = Math.Min(seconds.Value, Commands.GenerateCommand.MaxDurationSeconds);
        }
        return GenerateJob.Run(session, new GenerateOptions
        {
            Prompt = text,
            Melody = input,
            DurationSeconds = seconds.Value,
            Output = output,
            Sampling = sampling,
            Format = format,
        });
    }
}
