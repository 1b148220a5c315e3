using System.Diagnostics;
using System.Security.Cryptography;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Codec;
using MusicGen.Assistant.Cli.Commands;
using MusicGen.Assistant.Cli.Demo;
using MusicGen.Assistant.Cli.Hosting;
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
        var input = CliPaths.InputFile(o.Input, "track");
        var output = Path.GetFullPath(o.Output);
        if (string.Equals(input, output, StringComparison.Ordinal))
            throw new CliException($"--out '{o.Output}' is the track itself; write the edit to a new file so the original is kept", ExitCodes.Usage);
        if (Directory.Exists(output)) throw new CliException($"output WAV '{o.Output}' is a folder; give a file name", ExitCodes.Usage);
        if (o.Text is { } t && string.IsNullOrWhiteSpace(t)) throw new CliException("the description is empty; leave it out to continue from the audio alone", ExitCodes.Usage);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        GenerateJob.CheckWritable(output, o.Output);

        var (manifest, _) = o.Sampling.Model is null ? DemoModelSet.Ensure(session) : (ModelSetLocator.Resolve(o.Sampling.Model), null);
        if (manifest.Demo) GenerateJob.WarnDemo(console);
        using var set = LoadedModelSet.Load(session, manifest);
        var channels = set.Config.AudioChannels;
        var format = WavToModelInput.Inspect(input, channels);
        if (channels == 2 && format.ChannelCount != 2)
            throw new CliException($"track '{o.Input}' has {format.ChannelCount} channel(s); this stereo model continues stereo audio only (2 channels)");
        if (format.FrameCount == 0) throw new CliException($"track '{o.Input}' holds no audio (0 frames)");

        var clock = Stopwatch.StartNew();
        var rate = set.Codec.Config.SamplingRate;
        using var track = ConsoleProgress.Run(session, "read track", "frames", progress =>
            WavToModelInput.Spool(input, rate, channels, Path.GetDirectoryName(output)!, Path.GetFileName(output), progress));
        var trackSeconds = track.Length / (double)rate;
        var addSeconds = o.AddSeconds ?? o.TotalSeconds!.Value - trackSeconds;
        if (o.TotalSeconds is { } total && addSeconds * set.FrameRate < 1)
            throw new CliException($"track '{o.Input}' is already {Units.Seconds(trackSeconds)} long; --to {Units.Number(total)} must be at least one frame ({Units.Seconds(1 / set.FrameRate)}) longer", ExitCodes.Usage);
        var newFrames = MusicGenGenerationRequest.FramesForDuration(addSeconds, set.FrameRate);

        var sampling = o.Sampling.Settings(manifest.Defaults);
        var seed = o.Sampling.Seed ?? (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);
        var (conditioning, used) = o.Text is { } text
            ? (GenerateJob.Condition(set, text.Trim()), sampling)
            : (MusicGenConditioning.Null(1, 1, set.Config.HiddenSize), sampling with { GuidanceScale = 1 });
        console.Field("model", $"{manifest.Name} ({manifest.Source})");
        console.Field("track", $"'{o.Input}': {Units.Seconds(trackSeconds)}, {format.SampleRate} Hz, {format.ChannelCount} ch (kept as it is)");
        console.Field("adds", $"{Units.Seconds(newFrames / set.FrameRate)} ({newFrames} frames) " +
                              (o.Text is null ? "continuing the audio alone (no description: unconditional, guidance off)" : $"described as \"{o.Text.Trim()}\""));
        console.Field("sampling", SamplingChoice.Describe(used) + $", seed {seed}" + (o.Sampling.Seed is null ? $" (pass --seed {seed} to repeat)" : ""));

        TrackExtension.Run(session, set, track, input, newFrames, conditioning, used, seed, output, o.Format);
        var seconds = trackSeconds + newFrames / set.FrameRate;
        console.Line($"Wrote '{o.Output}'{(manifest.Demo ? " (UNTRAINED DEMO MODEL output)" : "")}: {Units.Seconds(trackSeconds)} of the track + {Units.Seconds(newFrames / set.FrameRate)} new = {Units.Seconds(seconds)}");
        console.Field("time", $"{Units.Duration(clock.Elapsed)}, {Units.RealTimeFactor(clock.Elapsed, newFrames / set.FrameRate)} for the new audio");
        return ExitCodes.Success;
    }
}
