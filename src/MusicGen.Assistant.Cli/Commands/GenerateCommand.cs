using System.CommandLine;
using System.CommandLine.Parsing;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.ModelSets;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga generate "prompt" --duration 10 --out song.wav [--model ...] [--cfg --top-k --top-p --temperature --seed
/// --greedy] [--prompts file.txt] [--format f32|pcm16] [--loudness -14] [--continue in.wav] [--melody tune.mp3]</c>: text to
/// music (a MusicGen-Melody model also follows a reference melody's chroma). Without --model the UNTRAINED demo set is
/// used (and announced). Sampling options left out come from the model set's defaults (audiocraft's preset).
/// </summary>
internal static class GenerateCommand
{
    public const double MaxDurationSeconds = GenerationLimits.MaxSeconds;

    public static Command Create(CommandHost host)
    {
        var prompt = new Argument<string?>("prompt") { Description = "What to generate, e.g. \"lo-fi hip hop beat with warm piano\".", Arity = ArgumentArity.ZeroOrOne };
        var duration = new NumberOption<double>("--duration", NumberOptions.Seconds, "-d") { Description = "Seconds of audio per prompt (up to 3600); beyond the model set's window (30 s) it is generated in overlapping windows.", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out", "-o") { Description = "File to write; the extension picks the format: .wav, or .mp3/.flac/.ogg through ffmpeg (with --prompts: NAME-001.wav, NAME-002.wav, ...).", DefaultValueFactory = _ => "generated.wav", HelpName = "FILE" };
        var prompts = new Option<string?>("--prompts") { Description = "Text file with one prompt per line (blank lines skipped).", HelpName = "FILE" };
        var sampling = new SamplingOptions();
        var format = new Option<string>("--format") { Description = "WAV sample format (for FLAC: pcm16 gives 16-bit, f32 24-bit; MP3/Ogg ignore it).", DefaultValueFactory = _ => "f32" };
        format.AcceptOnlyFromAmong("f32", "pcm16");
        var loudness = new NumberOption<double?>("--loudness", new NumberRange(-70, 0, "between -70 and 0 LUFS")) { Description = "Normalize each output to this integrated loudness (EBU R128), e.g. -14 as in the MusicGen paper's listening tests; the gain is held so the true peak stays under -1 dBTP.", HelpName = "LUFS" };
        var continuation = new Option<string?>("--continue") { Description = "Audio file to continue: it is encoded with EnCodec and the result starts with it; --duration then counts the prompt too. Without a text prompt the continuation is unconditional.", HelpName = "FILE" };

        var melody = new Option<string?>("--melody") { Description = "Reference melody, any audio file (MusicGen-Melody models only): the music follows its chroma (pitch classes over time); long tracks follow it from each window's time, repeating a short melody. Without a text prompt the melody alone conditions the music.", HelpName = "FILE" };

        var command = new Command("generate", "Generate music from a text prompt (MusicGen: T5 text encoder, decoder LM, EnCodec).")
        {
            prompt, duration, output, prompts, format, loudness, continuation, melody,
        };
        sampling.AddTo(command);
        host.Bind(command, (parsed, session) => Run(session, parsed.GetValue(sampling.Model), new GenerateRequest
        {
            Prompt = parsed.GetValue(prompt),
            PromptsFile = parsed.GetValue(prompts),
            DurationSeconds = parsed.GetValue(duration),
            Output = parsed.GetValue(output)!,
            Sampling = sampling.Read(parsed),
            Format = parsed.GetValue(format) == "pcm16" ? WavSampleFormat.Pcm16 : WavSampleFormat.Float32,
            Continue = parsed.GetValue(continuation),
            Melody = parsed.GetValue(melody),
            Loudness = parsed.GetValue(loudness),
        }));
        return command;
    }

    /// <summary>Checks the request, resolves and loads the model set (the demo set when none is given), prints the plan, then one track per prompt.</summary>
    public static int Run(CliSession session, string? modelOption, GenerateRequest request)
    {
        var console = session.Console;
        var job = GenerateJob.Create(request);
        var model = ConsoleProgress.Run(session, progress => ModelSetSource.Resolve(modelOption, progress, session.Cancellation));
        job.CheckModelSet(model.Manifest);
        if (model.IsDemo) GenerationOutput.WarnDemo(console);
        using var set = MusicGenModelSet.Load(model.Manifest, session.Compute);
        var setup = ConsoleProgress.Run(session, progress => job.Prepare(set, progress, session.Cancellation));

        console.Field("model", GenerationOutput.Model(model));
        console.Field("compute", DoctorCommand.ComputeSummary(session, set.Backend));
        console.Field("sampling", GenerationOutput.Sampling(setup.Sampling, setup.Seed, request.Sampling.Seed is not null));
        console.Field("length", $"{Units.Seconds(request.DurationSeconds)} -> {setup.Plan.Describe(set.FrameRate)}");
        if (setup.Continuation is { } continuation)
            console.Field("continue", $"'{request.Continue}': {Units.Seconds(continuation.Seconds)} ({continuation.Frames} frames), kept as the start of the result" +
                                      (job.Prompts[0] is null && setup.Melody is null ? "; no text, so the continuation is unconditional (guidance off)" : ""));
        if (setup.Melody is { } melody) console.Field("melody", melody.Describe());

        var total = TimeSpan.Zero;
        double audioSeconds = 0;
        for (var i = 0; i < setup.Count; i++)
        {
            var written = ConsoleProgress.Run(session, progress => setup.Render(i, progress, session.Cancellation));
            (total, audioSeconds) = (total + written.Time, audioSeconds + written.Seconds);
            GenerationOutput.Written(console, written, model.IsDemo);
        }
        if (setup.Count > 1)
            console.Field("total", $"{setup.Count} files, {Units.Seconds(audioSeconds)} of audio in {Units.Duration(total)}, {Units.RealTimeFactor(total, audioSeconds)}", indent: 0);
        if (model.IsDemo) GenerationOutput.Reminder(console);
        return ExitCodes.Success;
    }
}
