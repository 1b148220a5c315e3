using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Conversion;

/// <summary>What a conversion wrote: the GGUF file, the model found, notes for the user and how long it took.</summary>
public sealed record ConvertReport(ConversionResult Result, string ModelType, IReadOnlyList<string> Notes, StorageType Storage, TimeSpan Time);

/// <summary>
/// <c>mga convert</c>: a Hugging Face checkpoint folder (config.json + safetensors or pytorch_model.bin) or an M2UGen
/// checkpoint.pth to one GGUF file (written to a temporary file and renamed when complete). Stage: "convert".
/// </summary>
public sealed class ConvertJob
{
    private ConvertJob(string checkpoint, bool isTorchFile, string output, StorageType storage) =>
        (Checkpoint, IsTorchFile, OutputPath, Storage) = (checkpoint, isTorchFile, output, storage);

    public string Checkpoint { get; }
    public bool IsTorchFile { get; }
    public string OutputPath { get; }
    public StorageType Storage { get; }

    public static ConvertJob Create(string checkpoint, string output, StorageType storage) => AssistantException.Guard(() =>
    {
        var isTorchFile = File.Exists(checkpoint) && Path.GetExtension(checkpoint).ToLowerInvariant() is ".pth" or ".pt";
        if (!Directory.Exists(checkpoint) && !isTorchFile)
            throw AssistantException.BadInput(File.Exists(checkpoint)
                ? $"checkpoint '{checkpoint}' is a file; give the folder holding config.json and the *.safetensors (or an M2UGen checkpoint.pth)"
                : $"checkpoint folder '{checkpoint}' does not exist");
        // the output may replace none of the checkpoint's own files
        var inputs = isTorchFile ? [new NamedInput("checkpoint", checkpoint)]
            : Directory.EnumerateFiles(checkpoint).Select(f => new NamedInput($"checkpoint file '{Path.GetFileName(f)}'", f)).ToList();
        var full = OutputFiles.Require(output, "output GGUF", inputs);
        OutputFiles.CheckWritable(full, output, "output GGUF");
        return new ConvertJob(checkpoint, isTorchFile, full, storage);
    });

    public ConvertReport Run(IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) => AssistantException.Guard(() =>
    {
        var clock = Stopwatch.StartNew();
        var (result, detected) = ProgressStage.Run(progress, "convert", "tensors", cancellation, stage => IsTorchFile
            ? CheckpointConversion.ConvertPyTorchFile(Checkpoint, OutputPath, Storage, stage)
            : CheckpointConversion.Convert(Checkpoint, OutputPath, Storage, stage));
        return new ConvertReport(result, detected.ModelType, detected.Notes, Storage, clock.Elapsed);
    });

    /// <summary>Whether converting to <paramref name="output"/> writes a whole M2UGen model set (see <see cref="CheckpointConversion.IsM2UGenSet"/>).</summary>
    public static bool IsM2UGenSet(string checkpoint, string output) => CheckpointConversion.IsM2UGenSet(checkpoint, output);

    /// <summary>A whole M2UGen checkpoint into one model set folder (stage "convert", tensors), with typed errors.</summary>
    public static M2UGenSetResult RunM2UGenSet(M2UGenSetSources sources, string outputFolder, StorageType storage,
        IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) => AssistantException.Guard(() =>
        ProgressStage.Run(progress, "convert", "tensors", cancellation,
            stage => CheckpointConversion.ConvertM2UGenSet(sources, outputFolder, storage, stage)));
}
