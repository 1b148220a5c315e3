using System.Text.Json;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.ModelSets;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>One GGUF written for the set: the part, the file, the conversion summary, and each tensor's source name.</summary>
public sealed record M2UGenSetFile(string Part, ConversionResult Result, string Source, IReadOnlyList<(string Gguf, string Source)> Tensors);

/// <summary>A converted M2UGen set: its manifest, the files written, the adapter-gate report and what was left out.</summary>
public sealed record M2UGenSetResult(string ManifestPath, ModelSetManifest Manifest, IReadOnlyList<M2UGenSetFile> Files,
    AdapterGateReport Gates, IReadOnlyList<string> Notes)
{
    /// <summary>The gate report's warnings: a modality whose gates are all zero cannot reach the answer.</summary>
    public IReadOnlyList<string> Warnings => Gates.Warnings;
}

/// <summary>
/// Converts a whole M2UGen checkpoint (checkpoint.pth, or a folder with model.safetensors and config.json) into one
/// model set folder: a GGUF per part (<see cref="M2UGenSetPlan"/>) and one manifest (<see cref="ModelSetManifest"/>
/// of kind m2ugen) describing them, plus the report of every adapter gate. Each GGUF is written to a temporary file and
/// renamed when complete; the manifest is written last, so a folder with a manifest holds a complete set.
/// </summary>
public static class M2UGenSetConversion
{
    public static M2UGenSetResult Convert(M2UGenSetSources sources, string outputFolder, StorageType storage,
        IProgress<ConversionProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var (checkpoint, configJson, configSource) = OpenCheckpoint(sources);
        using (checkpoint)
        {
            using var plan = new M2UGenSetPlan(checkpoint, sources, configJson, configSource);
            var gates = AdapterGateReport.FromCheckpoint(checkpoint, plan.Llama.Injection, plan.Llama.StatePrefix);
            var folder = Path.GetFullPath(outputFolder);
            if (File.Exists(folder)) throw new IOException($"'{outputFolder}' is a file; an M2UGen model set is written into a folder");
            Directory.CreateDirectory(folder);

            var total = plan.Parts.Sum(p => p.Plan.Tensors.Count);
            var done = 0;
            var files = new List<M2UGenSetFile>();
            foreach (var part in plan.Parts)
            {
                var result = GgufConverter.Write(part.Plan, Path.Combine(folder, part.FileName), storage,
                    $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(sources.Checkpoint))} (m2ugen {part.Part})",
                    progress is null ? null : new OffsetProgress(progress, done, total, part.FileName));
                done += part.Plan.Tensors.Count;
                files.Add(new M2UGenSetFile(part.Part, result, part.Source, part.Plan.Tensors.Select(t => (t.Name, t.Source)).ToList()));
            }

            var notes = new List<string>(plan.Notes);
            var manifest = Manifest(sources, folder, plan);
            var manifestPath = Path.Combine(folder, ModelSetManifest.FileName);
            ModelSetManifestFile.Write(manifestPath, manifest);
            return new M2UGenSetResult(manifestPath, ModelSetManifestFile.Read(manifestPath), files, gates, notes);
        }
    }

    /// <summary>Whether a path is an M2UGen checkpoint this converter takes (a .pth / .pt file, or a folder whose config.json says model_type m2ugen).</summary>
    public static bool IsM2UGenCheckpoint(string path)
    {
        if (File.Exists(path)) return Path.GetExtension(path).ToLowerInvariant() is ".pth" or ".pt";
        var config = Path.Combine(path, "config.json");
        if (!Directory.Exists(path) || !File.Exists(config)) return false;
        try { return (JsonNode.Parse(HfConfigJson.ReadFile(config)) as JsonObject)?["model_type"] is JsonValue v && v.TryGetValue<string>(out var t) && t == "m2ugen"; }
        catch (Exception e) when (e is JsonException or ModelConfigException) { return false; } // the folder's own conversion reports the broken file
    }

    private static (ITensorCheckpoint Checkpoint, string? ConfigJson, string ConfigSource) OpenCheckpoint(M2UGenSetSources s)
    {
        string? configPath = s.ConfigJson;
        ITensorCheckpoint checkpoint;
        if (Directory.Exists(s.Checkpoint))
        {
            configPath ??= Path.Combine(s.Checkpoint, "config.json");
            checkpoint = CheckpointConversion.OpenWeights(s.Checkpoint);
        }
        else if (File.Exists(s.Checkpoint)) checkpoint = PyTorchCheckpoint.Open(s.Checkpoint);
        else throw new FileNotFoundException($"M2UGen checkpoint '{s.Checkpoint}' does not exist", s.Checkpoint);
        try
        {
            if (!checkpoint.Contains(ProjectorCheckpointKeys.FcWeight) && !checkpoint.Contains("module." + ProjectorCheckpointKeys.FcWeight)
                && !checkpoint.Contains(M2UGenLlamaCheckpointKeys.PrefixQuery))
                throw new ModelConfigException($"{checkpoint.Source}: not an M2UGen checkpoint (no '{ProjectorCheckpointKeys.FcWeight}' or '{M2UGenLlamaCheckpointKeys.PrefixQuery}')");
            if (configPath is not null && !File.Exists(configPath))
                throw new FileNotFoundException($"M2UGen config '{configPath}' does not exist", configPath);
            return (checkpoint, configPath is null ? null : HfConfigJson.ReadFile(configPath), configPath ?? checkpoint.Source);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    private static ModelSetManifest Manifest(M2UGenSetSources s, string folder, M2UGenSetPlan plan)
    {
        string At(string file) => Path.Combine(folder, file);
        var musicgen = At(M2UGenSetPlan.MusicGenFile);
        var encoders = plan.Parts.Where(p => p.Modality is not null).ToDictionary(p => p.Modality!.Value, p => At(p.FileName));
        return new ModelSetManifest
        {
            Name = s.Name ?? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(Path.GetFullPath(s.Checkpoint))),
            Kind = ModelSetManifest.KindM2UGen,
            TextEncoderPath = musicgen, DecoderPath = musicgen, CodecPath = musicgen, TokenizerPath = musicgen, // T5's tokenizer travels inside
            // generate_music's explicit guidance_scale=3.5; the rest is the MusicGen checkpoint's default
            Defaults = new GenerationDefaults { GuidanceScale = 3.5 },
            Assistant = new AssistantParts
            {
                LlamaPath = At(M2UGenSetPlan.LlamaFile),
                LlamaTokenizerPath = At(M2UGenSetPlan.LlamaFile), // with the [AUD] tokens, inside
                AdaptersPath = At(M2UGenSetPlan.AdaptersFile),
                ProjectorPath = At(M2UGenSetPlan.ProjectorFile),
                EncoderPaths = encoders,
                AudioTokens = plan.Tokenizers.AudioTokens,
                MusicConditioning = s.MusicConditioning,
            },
        };
    }

    // one part's progress as a share of the whole set
    private sealed class OffsetProgress(IProgress<ConversionProgress> outer, int offset, int total, string file) : IProgress<ConversionProgress>
    {
        public void Report(ConversionProgress value) => outer.Report(new ConversionProgress(offset + value.Done, total, $"{file}: {value.Tensor}"));
    }
}
