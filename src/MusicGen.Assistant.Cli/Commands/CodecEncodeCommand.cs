using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Codec;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga codec encode &lt;in.audio&gt; &lt;out.codes&gt; --model m.gguf [--bandwidth kbps]</c>.</summary>
internal static class CodecEncodeCommand
{
    public static Command Create(CommandHost host)
    {
        var input = new Argument<string>("in.audio") { Description = "Audio or video file: WAV, or anything ffmpeg reads (mp3, flac, ogg, m4a, mp4, webm, mkv...); any rate and channel count, mixed and resampled to the model's." };
        var output = new Argument<string>("out.codes") { Description = "Codes file to write." };
        var model = CodecCommand.ModelOption();
        var bandwidth = new NumberOption<double?>("--bandwidth", new NumberRange(0, 1000, "a positive number of kbps up to 1000", MinExclusive: true), "-b")
        {
            Description = "Target bandwidth in kbps; picks how many codebooks are used (default: the model's first target bandwidth).",
            HelpName = "kbps",
        };
        var command = new Command("encode", "Encode an audio file to EnCodec codes.") { input, output, model, bandwidth };
        host.Bind(command, (parsed, session) =>
        {
            var job = EncodeJob.Create(parsed.GetValue(input)!, parsed.GetValue(output)!, parsed.GetValue(bandwidth), parsed.GetValue(model), session.Cancellation);
            using var codec = CodecModel.Load(parsed.GetValue(model)!, session.Compute);
            var report = ConsoleProgress.Run(session, progress => job.Run(codec, progress, session.Cancellation));
            CodecSummary.Write(session.Console, report, parsed.GetValue(input)!, parsed.GetValue(output)!);
            return ExitCodes.Success;
        });
        return command;
    }
}
