using System.CommandLine;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Codec;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga codec encode &lt;in.wav&gt; &lt;out.codes&gt; --model m.gguf [--bandwidth kbps]</c>.</summary>
internal static class CodecEncodeCommand
{
    public static Command Create(CommandHost host)
    {
        var input = new Argument<string>("in.wav") { Description = "WAV file (any rate and channel count; mixed and resampled to the model's)." };
        var output = new Argument<string>("out.codes") { Description = "Codes file to write." };
        var model = CodecCommand.ModelOption();
        var bandwidth = new Option<double?>("--bandwidth", "-b")
        {
            Description = "Target bandwidth in kbps; picks how many codebooks are used (default: the model's first target bandwidth).",
            HelpName = "kbps",
        };
        bandwidth.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } b && !(b > 0 && double.IsFinite(b))) r.AddError("--bandwidth must be a positive number of kbps.");
        });
        var command = new Command("encode", "Encode a WAV file to EnCodec codes.") { input, output, model, bandwidth };
        host.Bind(command, (parsed, session) =>
        {
            var inPath = CliPaths.InputFile(parsed.GetValue(input)!, "input WAV");
            var outPath = CliPaths.OutputFile(parsed.GetValue(output)!, "output codes file");
            WavReader.ReadFormat(inPath); // a file that is not WAV fails here, before the model loads
            using var codec = LoadedCodec.Load(session, parsed.GetValue(model)!);
            var report = EncodeJob.Run(session, codec, inPath, outPath, parsed.GetValue(bandwidth));
            EncodeJob.WriteSummary(session.Console, report, parsed.GetValue(input)!, parsed.GetValue(output)!);
            return ExitCodes.Success;
        });
        return command;
    }
}
