using MusicGen.Assistant.Files;
using System.CommandLine;
using MusicGen.Assistant.Cli.Codec;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga codec encode &lt;in.audio&gt; &lt;out.codes&gt; --model m.gguf [--bandwidth kbps]</c>.</summary>
internal static class CodecEncodeCommand
{
    public static Command Create(CommandHost host)
    {
        var input = new Argument<string>("in.audio") { Description = "Audio or video file: WAV, or anything ffmpeg reads (mp3, flac, ogg, m4a, mp4, webm, mkv...); any rate and channel count, mixed and resampled to the model's." };
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
        var command = new Command("encode", "Encode an audio file to EnCodec codes.") { input, output, model, bandwidth };
        host.Bind(command, (parsed, session) =>
        {
            var inPath = InputFiles.Require(parsed.GetValue(input)!, "input audio");
            var outPath = OutputFiles.Require(parsed.GetValue(output)!, "output codes file");
            MediaToModelInput.Inspect(inPath, modelChannels: 1, session.Cancellation); // a file without usable sound fails here, before the model loads
            using var codec = LoadedCodec.Load(session, parsed.GetValue(model)!);
            var report = EncodeJob.Run(session, codec, inPath, outPath, parsed.GetValue(bandwidth));
            EncodeJob.WriteSummary(session.Console, report, parsed.GetValue(input)!, parsed.GetValue(output)!);
            return ExitCodes.Success;
        });
        return command;
    }
}
