using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Conversion;

/// <summary>
/// Recognises a Hugging Face checkpoint directory by its config.json and builds the conversion plan of each model
/// family it holds. New families register here; the converter and the command line stay unchanged.
/// </summary>
public static class CheckpointConversion
{
    /// <summary>The families found in a checkpoint, and a note on any part that is not converted yet.</summary>
    public sealed record Detected(IReadOnlyList<IConversionPlan> Plans, IReadOnlyList<string> Notes, string ModelType);

    public static Detected Detect(string directory, ITensorCheckpoint checkpoint)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath) && !Directory.Exists(configPath))
            throw new ModelConfigException($"{directory}: no config.json (expected a Hugging Face checkpoint directory)");
        var json = HfConfigJson.ReadFile(configPath);
        var modelType = HfConfigJson.String(HfConfigJson.ParseObject(json, configPath), "model_type", configPath)
                        ?? throw new ModelConfigException($"{configPath}: no 'model_type'");
        var detected = Plans(directory, checkpoint, json, configPath, modelType);
        // every planned tensor is made from at least one of the checkpoint's, so a config asking for far more (a huge layer
        // count, say) cannot be backed by these weights: refuse it before a single tensor is read (a few missing ones
        // are named by the conversion itself)
        var planned = detected.Plans.Sum(p => (long)p.Tensors.Count);
        var held = checkpoint.Names.Count();
        if (planned > 2 * held + 64)
            throw new ModelConfigException($"{configPath}: the sizes in this config describe {planned} tensors, but the checkpoint '{checkpoint.Source}' holds only {held} (a layer or codebook count larger than the weights?)");
        return detected;
    }

    private static Detected Plans(string directory, ITensorCheckpoint checkpoint, string json, string configPath, string modelType)
    {
        var reader = new CheckpointReader(checkpoint);
        switch (modelType)
        {
            case "encodec":
                return new Detected([new EncodecCheckpointPlan(reader, EncodecConfig.FromHuggingFaceJson(json, configPath), "")], [], modelType);
            case "musicgen":
                return new Detected(
                    [new EncodecCheckpointPlan(reader, EncodecConfig.FromHuggingFaceJson(json, configPath), "audio_encoder."),
                     new MusicGenDecoderCheckpointPlan(reader, MusicGenDecoderConfig.FromHuggingFaceJson(json, configPath)),
                     T5CheckpointPlan.ForMusicGen(reader, json, configPath)],
                    [],
                    modelType);
            case "musicgen_melody":
                // the decoder plan carries the chroma projection (audio_enc_to_dec_proj) and leaves out cross-attention
                return new Detected(
                    [new EncodecCheckpointPlan(reader, EncodecConfig.FromHuggingFaceJson(json, configPath), "audio_encoder."),
                     new MusicGenDecoderCheckpointPlan(reader, MusicGenDecoderConfig.FromHuggingFaceJson(json, configPath)),
                     T5CheckpointPlan.ForMusicGen(reader, json, configPath)],
                    [],
                    modelType);
            case "m2ugen":
                return new Detected(
                    [AdapterCheckpointPlan.ForCheckpoint(checkpoint, json, configPath)],
                    [WholeSetNote("the music / image / video understanding adapters are converted into this one file")],
                    modelType);
            case "hubert" or "mert_model":
                return new Detected([HubertCheckpointPlan.FromDirectory(directory, reader)], [], modelType);
            case "llama":
                // q/k rows back in Meta's adjacent-pair order (normal RoPE), as llama.cpp's converter writes them
                return new Detected([LlamaCheckpointPlan.FromHuggingFace(reader, json, configPath, directory)], [], modelType);
            case "vit" or "vivit":
                return new Detected([VisionCheckpointPlan.FromHuggingFace(reader, json, configPath)], [], modelType);
            default:
                throw new ModelConfigException($"{configPath}: model_type '{modelType}' is not supported (supported: encodec, musicgen, musicgen_melody, m2ugen, hubert, mert_model, vit, vivit, llama)");
        }
    }

    /// <summary>Converts a checkpoint directory to one GGUF file; several families go into one file, prefixed apart.</summary>
    public static (ConversionResult Result, Detected Detected) Convert(string directory, string output, StorageType storage,
        IProgress<ConversionProgress>? progress = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"checkpoint directory '{directory}' does not exist");
        using var checkpoint = OpenWeights(directory);
        var detected = Detect(directory, checkpoint);
        var plan = detected.Plans.Count == 1 ? detected.Plans[0] : new CombinedPlan(detected.Plans);
        // the GGUF carries the folder's tokenizer, as llama.cpp's converters do
        var tokenizer = Tokenizers.CheckpointTokenizer.Find(directory, detected.ModelType);
        plan = Tokenizers.CheckpointTokenizer.Attach(plan, tokenizer);
        if (tokenizer is not null) detected = detected with { Notes = [.. detected.Notes, tokenizer.Description] };
        var result = GgufConverter.Write(plan, output, storage, $"{Path.GetFileName(Path.GetFullPath(directory))} ({detected.ModelType})", progress);
        return (result, detected);
    }

    /// <summary>
    /// The weights of a Hugging Face directory: model.safetensors (or its sharded index) when present, else the older
    /// pytorch_model.bin (a torch.save zip, read without Python; some hub repos, e.g. m-a-p/MERT-v1-330M, ship only it).
    /// </summary>
    public static ITensorCheckpoint OpenWeights(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(Path.Combine(full, "model.safetensors")) || File.Exists(Path.Combine(full, "model.safetensors.index.json")))
            return SafetensorsCheckpoint.OpenDirectory(full);
        var bin = Path.Combine(full, "pytorch_model.bin");
        if (File.Exists(bin)) return PyTorchCheckpoint.Open(bin);
        if (File.Exists(Path.Combine(full, "pytorch_model.bin.index.json")))
            throw new ModelWeightsException($"{full}: sharded pytorch_model-*.bin checkpoints are not supported; convert the shards to safetensors or use the hub's model.safetensors");
        throw new ModelWeightsException($"{full}: no weights found (looked for model.safetensors, model.safetensors.index.json and pytorch_model.bin)");
    }

    /// <summary>
    /// Converts a torch.save checkpoint file (.pth / .pt) that has no config.json beside it, recognised by its tensor
    /// names. Today that is an M2UGen checkpoint.pth, whose understanding adapters are converted (sizes from the tensor
    /// shapes); its LLaMA, projector and frozen encoders are left out (the encoders convert from their Hugging Face
    /// checkpoints, whose weights M2UGen never changed).
    /// </summary>
    public static (ConversionResult Result, Detected Detected) ConvertPyTorchFile(string path, string output, StorageType storage,
        IProgress<ConversionProgress>? progress = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint file '{path}' does not exist", path);
        using var checkpoint = PyTorchCheckpoint.Open(path);
        if (!M2UGenModalities.All.Any(m => checkpoint.Contains(AdapterCheckpointKeys.AggWeight(m))))
            throw new ModelConfigException($"{path}: not a checkpoint this converter recognises without a config.json (no M2UGen adapter tensors such as '{AdapterCheckpointKeys.AggWeight(M2UGenModality.Music)}'); for a Hugging Face model give its folder");
        var plan = AdapterCheckpointPlan.ForCheckpoint(checkpoint);
        var notes = new List<string> { WholeSetNote("only the M2UGen understanding adapters are converted into this one file") };
        if (checkpoint.Names.Any(n => n.StartsWith("mert_model.", StringComparison.Ordinal) || n.StartsWith("vit_model.", StringComparison.Ordinal) || n.StartsWith("vivit_model.", StringComparison.Ordinal)))
            notes.Add("the frozen MERT / ViT / ViViT encoders in this file are not converted: convert their Hugging Face checkpoints (same weights) with `mga convert <folder>`");
        var detected = new Detected([plan], notes, "m2ugen");
        var result = GgufConverter.Write(plan, output, storage, $"{Path.GetFileName(path)} (m2ugen adapters)", progress);
        return (result, detected);
    }

    /// <summary>
    /// Whether converting <paramref name="checkpoint"/> to <paramref name="output"/> writes a whole M2UGen model set: an
    /// M2UGen checkpoint (.pth, or a folder whose config.json says m2ugen) into a folder (any output not named *.gguf).
    /// </summary>
    public static bool IsM2UGenSet(string checkpoint, string output) =>
        !output.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && M2UGenSetConversion.IsM2UGenCheckpoint(checkpoint);

    /// <summary>A whole M2UGen checkpoint into one model set folder: every part's GGUF, one manifest, the gate report.</summary>
    public static M2UGenSetResult ConvertM2UGenSet(M2UGenSetSources sources, string outputFolder, StorageType storage,
        IProgress<ConversionProgress>? progress = null) => M2UGenSetConversion.Convert(sources, outputFolder, storage, progress);

    private static string WholeSetNote(string what) =>
        $"{what}; the LLaMA, projector, encoders and MusicGen are not converted into a single .gguf: give an output folder (with the MusicGen folder and the LLaMA tokenizer) to convert the whole M2UGen model set";

    private sealed class CombinedPlan(IReadOnlyList<IConversionPlan> plans) : IConversionPlan
    {
        public string Architecture => string.Join("+", plans.Select(p => p.Architecture));
        public IReadOnlyList<PlannedTensor> Tensors { get; } = plans.SelectMany(p => p.Tensors).ToList();
        public void WriteMetadata(GgufWriter writer) { foreach (var p in plans) p.WriteMetadata(writer); }
    }
}
