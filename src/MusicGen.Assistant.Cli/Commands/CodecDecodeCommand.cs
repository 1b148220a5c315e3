using System.CommandLine;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Codec;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga codec decode &lt;in.codes&gt; &lt;out.wav&gt; --model m.gguf [--format f32|pcm16|pcm24]</c>.</summary>
internal static class CodecDecodeCommand
{
    public static Command Create(CommandHost host)
    {
        var input = new Argument<string>("in.codes") { Description = "Codes file (made by `mga codec encode`)." };
        var output = new Argument<string>("out.wav") { Description = "WAV file to write, at the model's rate, trimmed to the original length." };
        var model = CodecCommand.ModelOption();
        var format = new Option<string>("--format", "-f")
        {
            Description = "Sample format of the WAV file (PCM clips at full scale).",
            DefaultValueFactory = _ => "f32",
        };
        format.AcceptOnlyFromAmong("f32", "pcm16", "pcm24");
        var command = new Command("decode", "Decode EnCodec codes to a WAV file.") { input, output, model, format };
        host.Bind(command, (parsed, session) =>
        {
            var job = DecodeJob.Create(parsed.GetValue(input)!, parsed.GetValue(output)!, SampleFormat(parsed.GetValue(format)!), parsed.GetValue(model)); // a corrupt codes file fails here, before the model loads
            using var codec = CodecModel.Load(parsed.GetValue(model)!, session.Compute);
            var report = ConsoleProgress.Run(session, progress => job.Run(codec, progress, session.Cancellation));
            CodecSummary.Write(session.Console, report, parsed.GetValue(input)!, parsed.GetValue(output)!);
            return ExitCodes.Success;
        });
        return command;
    }

    private static WavSampleFormat SampleFormat(string name) => name switch
    {
        "pcm16" => WavSampleFormat.Pcm16,
        "pcm24" => WavSampleFormat.Pcm24,
        _ => WavSampleFormat.Float32,
    };
}
