using MusicGen.Assistant.Files;
using System.CommandLine;
using System.Diagnostics;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Conversion;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga convert &lt;checkpoint-dir&gt; &lt;out.gguf&gt; [--type]</c>: a Hugging Face checkpoint to one GGUF file.</summary>
internal static class ConvertCommand
{
    public static Command Create(CommandHost host)
    {
        var checkpoint = new Argument<string>("checkpoint-dir") { Description = "Hugging Face checkpoint folder (config.json + *.safetensors, or pytorch_model.bin), or an M2UGen checkpoint.pth (its adapters)." };
        var output = new Argument<string>("out.gguf") { Description = "GGUF file to write (replaced atomically)." };
        var type = new Option<string>("--type", "-t")
        {
            Description = "Storage of the weight matrices; norms, biases and codebooks stay f32.",
            DefaultValueFactory = _ => "f32",
        };
        type.AcceptOnlyFromAmong("f32", "f16", "q8_0", "q4_0");
        var command = new Command("convert", "Convert a checkpoint to GGUF: a Hugging Face folder (EnCodec, MusicGen, MERT/HuBERT, ViT, ViViT, M2UGen adapters) or an M2UGen checkpoint.pth.") { checkpoint, output, type };
        host.Bind(command, (parsed, session) =>
            Run(session, parsed.GetValue(checkpoint)!, parsed.GetValue(output)!, StorageTypes.Parse(parsed.GetValue(type)!)));
        return command;
    }

    private static int Run(CliSession session, string checkpointDir, string outputPath, StorageType storage)
    {
        var isTorchFile = File.Exists(checkpointDir) && Path.GetExtension(checkpointDir).ToLowerInvariant() is ".pth" or ".pt";
        if (!Directory.Exists(checkpointDir) && !isTorchFile)
            throw new CliException(File.Exists(checkpointDir)
                ? $"checkpoint '{checkpointDir}' is a file; give the folder holding config.json and the *.safetensors (or an M2UGen checkpoint.pth)"
                : $"checkpoint folder '{checkpointDir}' does not exist");
        var output = OutputFiles.Require(outputPath, "output GGUF");
        var clock = Stopwatch.StartNew();
        var (result, detected) = ConsoleProgress.Run(session, "convert", "tensors", progress => isTorchFile
            ? CheckpointConversion.ConvertPyTorchFile(checkpointDir, output, storage, progress)
            : CheckpointConversion.Convert(checkpointDir, output, storage, progress));

        var console = session.Console;
        console.Line($"Converted '{checkpointDir}' ({detected.ModelType}) -> '{result.Path}'");
        console.Field("tensors", $"{result.TensorCount} ({string.Join(", ", result.TensorsByType.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))})");
        console.Field("type", TypeNote(storage));
        console.Field("file size", Units.Bytes(result.Bytes));
        console.Field("time", Units.Duration(clock.Elapsed));
        foreach (var note in detected.Notes) console.Field("note", note);
        return ExitCodes.Success;
    }

    private static string TypeNote(StorageType storage) => storage switch
    {
        StorageType.F32 => "f32",
        StorageType.F16 => "f16 weight matrices; biases, norms and codebooks stay f32",
        _ => $"{StorageTypes.Name(storage)} weight matrices (f16 where a row is not a whole number of blocks); biases, norms and codebooks stay f32",
    };
}
