using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Conversion;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga convert &lt;checkpoint-dir&gt; &lt;out.gguf&gt; [--type]</c>: a Hugging Face checkpoint to one GGUF file.</summary>
internal static class ConvertCommand
{
    public static Command Create(CommandHost host)
    {
        var checkpoint = new Argument<string>("checkpoint-dir") { Description = "Hugging Face checkpoint folder (config.json + *.safetensors, or pytorch_model.bin), or an M2UGen checkpoint.pth (its adapters)." };
        var output = new Argument<string>("out.gguf") { Description = "GGUF file to write (replaced atomically); for an M2UGen checkpoint, a folder for the whole model set." };
        var set = M2UGenSetOptions.Create(); // the whole-M2UGen-set inputs
        var type = new Option<string>("--type", "-t")
        {
            Description = "Storage of the weight matrices; norms, biases and codebooks stay f32.",
            DefaultValueFactory = _ => "f32",
        };
        type.AcceptOnlyFromAmong("f32", "f16", "q8_0", "q4_0");
        var command = new Command("convert", "Convert a checkpoint to GGUF: a Hugging Face folder (EnCodec, MusicGen, MERT/HuBERT, ViT, ViViT, M2UGen adapters) or an M2UGen checkpoint.pth.") { checkpoint, output, type };
        foreach (var option in set.All) command.Options.Add(option);
        host.Bind(command, (parsed, session) => ConvertJob.IsM2UGenSet(parsed.GetValue(checkpoint)!, parsed.GetValue(output)!)
            ? set.Run(session, parsed, parsed.GetValue(checkpoint)!, parsed.GetValue(output)!, StorageTypes.Parse(parsed.GetValue(type)!))
            : Run(session, parsed.GetValue(checkpoint)!, parsed.GetValue(output)!, StorageTypes.Parse(parsed.GetValue(type)!)));
        return command;
    }

    private static int Run(CliSession session, string checkpointDir, string outputPath, StorageType storage)
    {
        var job = ConvertJob.Create(checkpointDir, outputPath, storage);
        var report = ConsoleProgress.Run(session, progress => job.Run(progress, session.Cancellation));
        var result = report.Result;
        var console = session.Console;
        console.Line($"Converted '{checkpointDir}' ({report.ModelType}) -> '{result.Path}'");
        console.Field("tensors", $"{result.TensorCount} ({string.Join(", ", result.TensorsByType.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))})");
        console.Field("type", TypeNote(storage));
        console.Field("file size", Units.Bytes(result.Bytes));
        console.Field("time", Units.Duration(report.Time));
        foreach (var note in report.Notes) console.Field("note", note);
        return ExitCodes.Success;
    }

    private static string TypeNote(StorageType storage) => storage switch
    {
        StorageType.F32 => "f32",
        StorageType.F16 => "f16 weight matrices; biases, norms and codebooks stay f32",
        _ => $"{StorageTypes.Name(storage)} weight matrices (f16 where a row is not a whole number of blocks); biases, norms and codebooks stay f32",
    };
}
