using System.CommandLine;
using System.CommandLine.Parsing;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Generation;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga generate "prompt" --duration 10 --out song.wav [--model ...] [--cfg --top-k --top-p --temperature --seed
/// --greedy] [--prompts file.txt] [--format f32|pcm16] [--continue in.wav]</c>: text to music. Without --model the UNTRAINED demo set is
/// used (and announced). Sampling options left out come from the model set's defaults (audiocraft's preset).
/// </summary>
internal static class GenerateCommand
{
    public const double MaxDurationSeconds = 3600;

    public static Command Create(CommandHost host)
    {
        var prompt = new Argument<string?>("prompt") { Description = "What to generate, e.g. \"lo-fi hip hop beat with warm piano\".", Arity = ArgumentArity.ZeroOrOne };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds of audio per prompt (up to 3600); beyond the model set's window (30 s) it is generated in overlapping windows.", DefaultValueFactory = _ => 10 };
        duration.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<double>();
            if (!(v > 0 && v <= MaxDurationSeconds))
                r.AddError($"--duration must be a positive number of seconds up to {MaxDurationSeconds:0} (1 hour); got {Units.Number(v)}.");
        });
        var output = new Option<string>("--out", "-o") { Description = "WAV file to write (with --prompts: NAME-001.wav, NAME-002.wav, ...).", DefaultValueFactory = _ => "generated.wav", HelpName = "FILE" };
        var model = new Option<string?>("--model", "-m") { Description = "A musicgen.modelset.json, a folder holding one, or a converted MusicGen .gguf (tokenizer next to it). Default: the UNTRAINED demo set.", HelpName = "PATH" };
        var prompts = new Option<string?>("--prompts") { Description = "Text file with one prompt per line (blank lines skipped).", HelpName = "FILE" };
        var cfg = new Option<double?>("--cfg") { Description = "Classifier-free guidance scale (1 = off). Default: the model set's (3)." };
        cfg.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && !(v >= 1 && v <= 100)) r.AddError("--cfg must be between 1 (no guidance) and 100."); });
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k most likely tokens (0 = off). Default: the model set's (250)." };
        topK.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--top-k must be 0 (off) or more."); });
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling mass in (0, 1]; 0 = off. Default: the model set's (0)." };
        topP.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && !(v >= 0 && v <= 1)) r.AddError("--top-p must be between 0 (off) and 1."); });
        var temperature = new Option<double?>("--temperature") { Description = "Softmax temperature (> 0). Default: the model set's (1)." };
        temperature.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && !(v > 0 && v <= 100)) r.AddError("--temperature must be a positive number up to 100."); });
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the sampler (same seed, same settings: same audio). Default: a random seed, printed." };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most likely token (deterministic; ignores temperature, top-k, top-p)." };
        var format = new Option<string>("--format") { Description = "WAV sample format.", DefaultValueFactory = _ => "f32" };
        format.AcceptOnlyFromAmong("f32", "pcm16");
        var continuation = new Option<string?>("--continue") { Description = "Audio file to continue: it is encoded with EnCodec and the result starts with it; --duration then counts the prompt too. Without a text prompt the continuation is unconditional.", HelpName = "FILE" };

        var command = new Command("generate", "Generate music from a text prompt (MusicGen: T5 text encoder, decoder LM, EnCodec).")
        {
            prompt, duration, output, model, prompts, cfg, topK, topP, temperature, seed, greedy, format, continuation,
        };
        host.Bind(command, (parsed, session) => GenerateJob.Run(session, new GenerateOptions
        {
            Prompt = parsed.GetValue(prompt),
            PromptsFile = parsed.GetValue(prompts),
            DurationSeconds = parsed.GetValue(duration),
            Output = parsed.GetValue(output)!,
            Model = parsed.GetValue(model),
            GuidanceScale = parsed.GetValue(cfg),
            TopK = parsed.GetValue(topK),
            TopP = parsed.GetValue(topP),
            Temperature = parsed.GetValue(temperature),
            Seed = parsed.GetValue(seed),
            Greedy = parsed.GetValue(greedy),
            Format = parsed.GetValue(format) == "pcm16" ? WavSampleFormat.Pcm16 : WavSampleFormat.Float32,
            Continue = parsed.GetValue(continuation),
        }));
        return command;
    }
}
