using MusicGen.Assistant.Files;
using System.Diagnostics;
using System.Security.Cryptography;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Cli.Commands;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>
/// The body of <c>mga generate</c>: checks every input before loading anything, resolves the model set (the demo set
/// when none is given), then per prompt: text conditioning, generation with a progress bar, EnCodec decoding, WAV.
/// </summary>
internal static class GenerateJob
{
    public static int Run(CliSession session, GenerateOptions o)
    {
        var console = session.Console;
        var prompts = Prompts(o);
        var outputs = OutputPaths(o.Output, prompts.Count);
        CheckWritable(outputs[0], o.Output);
        var outputFormat = TrackOutput.FormatFor(o.Output);
        if (o.Continue is not null) InputFiles.Require(o.Continue, "audio prompt (--continue)");
        if (o.Melody is not null) InputFiles.Require(o.Melody, "melody (--melody)");

        var (manifest, created) = ConsoleProgress.Run(session, progress => ModelSetSource.Resolve(o.Sampling.Model, progress, session.Cancellation));
        if (o.Melody is not null) MelodyInput.RequireMelodyModel(manifest);
        if (manifest.Demo) WarnDemo(console);
        using var set = MusicGenModelSet.Load(manifest, session.Compute);
        // a melody model's conditioning prefix takes decoder positions too: the window leaves room for the longest
        var plan = TrackPlan.For(set, o.DurationSeconds, prompts.Max(p => TrackConditioning.PrefixLength(set, p)));
        var melody = o.Melody is null ? null : MelodyInput.Load(session, set, o.Melody, o.DurationSeconds);
        var sampling = o.Sampling.Settings(manifest.Defaults);
        var continuation = o.Continue is null ? null : ContinuationPrompt.Load(session, set, o.Continue, Path.GetDirectoryName(outputs[0])!);
        var seed = o.Sampling.Seed ?? (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);

        console.Field("model", $"{manifest.Name} ({manifest.Source}{(created is { } t ? $", created in {Units.Duration(t)}" : "")})");
        console.Field("compute", DoctorCommand.ComputeSummary(session, set.Backend));
        console.Field("sampling", SamplingChoice.Describe(sampling) + $", seed {seed}" + (o.Sampling.Seed is null ? $" (pass --seed {seed} to repeat)" : ""));
        console.Field("length", $"{Units.Seconds(o.DurationSeconds)} -> {plan.Describe(set.FrameRate)}");
        if (continuation is not null)
            console.Field("continue", $"'{o.Continue}': {Units.Seconds(continuation.Seconds)} ({continuation.Frames} frames), kept as the start of the result" +
                                      (prompts[0] is null && melody is null ? "; no text, so the continuation is unconditional (guidance off)" : ""));
        if (melody is not null) console.Field("melody", melody.Describe());

        var rate = set.Codec.Config.SamplingRate;
        var total = TimeSpan.Zero;
        double audioSeconds = 0;
        for (var i = 0; i < prompts.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            // no text and no melody (a bare --continue): the null condition in both guidance halves equals no guidance
            var item = TrackConditioning.For(set, prompts[i], melody, sampling, plan.WindowFrames);
            var audio = plan.Run(session, set, item.Conditioning, item.Sampling, seed, prompts.Count > 1 ? $"generate {i + 1}/{prompts.Count}" : "generate",
                continuation, item.PerWindow);
            var written = TrackOutput.Write(outputs[i], new AudioBuffer(rate, audio), outputFormat, o.Format, o.Loudness, session.Cancellation);
            var seconds = audio[0].Length / (double)rate;
            (total, audioSeconds) = (total + clock.Elapsed, audioSeconds + seconds);
            console.Line($"Wrote '{outputs[i]}'{(manifest.Demo ? " (UNTRAINED DEMO MODEL output)" : "")}: {(prompts[i] is { } p ? $"\"{p}\"" : "(no text)")}");
            console.Field("audio", $"{Units.Seconds(seconds)}, {rate} Hz, {(audio.Length == 1 ? "mono" : "stereo")}, {written.Description}");
            if (written.Loudness is { } loudness) console.Field("loudness", loudness);
            console.Field("time", $"{Units.Duration(clock.Elapsed)}, {Units.RealTimeFactor(clock.Elapsed, seconds)}");
        }
        if (prompts.Count > 1)
            console.Field("total", $"{prompts.Count} files, {Units.Seconds(audioSeconds)} of audio in {Units.Duration(total)}, {Units.RealTimeFactor(total, audioSeconds)}", indent: 0);
        if (manifest.Demo) console.Line("Reminder: UNTRAINED DEMO MODEL (random weights); the audio is structured noise by design, not music.");
        return ExitCodes.Success;
    }

    internal static void WarnDemo(CliConsole console)
    {
        console.Line("!! UNTRAINED DEMO MODEL: no --model was given, so a small random-weight MusicGen (T5, decoder, EnCodec)");
        console.Line("!! built by this program is used. The output is noise, not music; it shows the pipeline and its speed.");
        console.Line("!! For real music convert a MusicGen checkpoint (mga convert) and pass --model.");
    }

    // null: no text (allowed with --continue or --melody only)
    private static IReadOnlyList<string?> Prompts(GenerateOptions o)
    {
        if (o.Prompt is not null && o.PromptsFile is not null)
            throw new CliException("give either a prompt or --prompts FILE, not both", ExitCodes.Usage);
        if (o.PromptsFile is { } file)
        {
            var path = InputFiles.Require(file, "prompts file");
            var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (lines.Count == 0) throw new CliException($"prompts file '{file}' holds no prompts (one per line)", ExitCodes.Usage);
            if (lines.Count > 999) throw new CliException($"prompts file '{file}' holds {lines.Count} prompts; at most 999 per run", ExitCodes.Usage);
            return lines;
        }
        if (o.Prompt is null && (o.Continue is not null || o.Melody is not null)) return [null];
        if (o.Prompt is null) throw new CliException("no prompt given: mga generate \"lo-fi hip hop beat with warm piano\" (or --prompts FILE)", ExitCodes.Usage);
        if (string.IsNullOrWhiteSpace(o.Prompt)) throw new CliException("the prompt is empty; describe the music to generate", ExitCodes.Usage);
        return [o.Prompt.Trim()];
    }

    // One prompt: the file as given; several: NAME-001.wav, NAME-002.wav, ... next to it. A missing folder is created.
    private static string[] OutputPaths(string output, int count)
    {
        var full = Path.GetFullPath(output);
        if (Directory.Exists(full)) throw new CliException($"output WAV '{output}' is a folder; give a file name");
        var parent = Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(parent); } // as `mga demo` does: the README's default writes into demo-output/
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write output WAV '{output}': cannot create the folder '{parent}' ({e.Message})");
        }
        if (count == 1) return [full];
        var folder = Path.GetDirectoryName(full)!;
        var name = Path.GetFileNameWithoutExtension(full);
        var ext = Path.GetExtension(full) is { Length: > 0 } given ? given : ".wav";
        return Enumerable.Range(1, count).Select(i => Path.Combine(folder, $"{name}-{i:000}{ext}")).ToArray();
    }

    // Fail before minutes of work when the folder cannot take the file.
    internal static void CheckWritable(string path, string given)
    {
        var probe = Path.Combine(Path.GetDirectoryName(path)!, $".mga-write-check-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write output WAV '{given}': {e.Message}");
        }
    }

    /// <summary>A prompt's conditioning (on a melody model: the prefix with the null melody).</summary>
    internal static MusicGenConditioning Condition(MusicGenModelSet set, string prompt) => TrackConditioning.ForText(set, prompt);
}
