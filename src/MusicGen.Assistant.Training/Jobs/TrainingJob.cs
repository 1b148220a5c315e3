using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.M2UGen;
using MusicGen.Assistant.Training.MusicGenLm;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Training.Jobs;

/// <summary>What a run produced: the loop's report, the example counts, the trained files and their model set.</summary>
public sealed record TrainingJobResult(TrainingConfig Config, TrainingReport Report, int TrainExamples, int ValidExamples, int Skipped,
    IReadOnlyList<string> TrainedFiles, string? TrainedManifest);

/// <summary>
/// One `mga train` run from its settings file: builds the procedural dataset when the folder has none, loads the
/// model set parts the stage needs, turns the dataset's train and valid splits into examples (frozen encoders, T5
/// targets, EnCodec codes), trains with checkpoints and resume, and writes the trained parts as GGUF copies plus a
/// model set manifest using them (output/trained/).
/// </summary>
public static class TrainingJob
{
    public static TrainingJobResult Run(TrainingConfig config, IProgress<TrainingProgress>? progress = null, Action<string>? status = null,
        CancellationToken cancellation = default)
    {
        var layout = PrepareDataset(config, status, cancellation);
        var manifest = ModelSetLocator.Resolve(config.Model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, config.Threads);
        return config.Stage == TrainingStage.MusicGen
            ? RunMusicGen(config, manifest, layout, backend, progress, status, cancellation)
            : RunM2UGen(config, manifest, layout, backend, progress, status, cancellation);
    }

    private static DatasetLayout PrepareDataset(TrainingConfig config, Action<string>? status, CancellationToken cancellation)
    {
        var layout = new DatasetLayout(config.Dataset.Folder);
        if (File.Exists(layout.Captions) || config.Dataset.Spec is not { } spec) return layout;
        status?.Invoke($"building dataset '{spec.Name}' ({spec.Items} clips) in {layout.Root}");
        SyntheticDatasetBuilder.Build(spec, layout.Root, cancellation: cancellation);
        return layout;
    }

    private static DatasetSplits Splits(TrainingConfig c) => c.Dataset.Spec?.Splits ?? new DatasetSplits(c.Seed, 0.8, 0.1, 0.1);

    private static TrainingJobResult RunM2UGen(TrainingConfig config, ModelSetManifest manifest, DatasetLayout layout, ComputeBackend backend,
        IProgress<TrainingProgress>? progress, Action<string>? status, CancellationToken cancellation)
    {
        var parts = manifest.Assistant ?? throw new InvalidDataException($"{manifest.Source}: a '{manifest.Kind}' model set has no M2UGen parts; stage training needs an m2ugen set (mga convert checkpoint.pth)");
        var stage = config.Stage switch { TrainingStage.Stage1 => M2UGenStage.Stage1, TrainingStage.Stage2 => M2UGenStage.Stage2, _ => M2UGenStage.Stage3 };
        var groups = config.Train ?? M2UGenStages.Default(stage);
        var modalities = stage switch
        {
            M2UGenStage.Stage1 => config.Modalities,
            M2UGenStage.Stage2 => new HashSet<M2UGenModality>(),
            _ => new HashSet<M2UGenModality>(M2UGenModalities.All.Where(m => config.Modalities.Contains(m))),
        };
        var projector = stage == M2UGenStage.Stage2 || stage == M2UGenStage.Stage3 && config.ProjectorLoss;
        status?.Invoke($"loading the {TrainingConfig.Name(config.Stage)} parts of {manifest.Name}");
        using var model = M2UGenTrainingModel.Load(parts, backend, modalities, projector);
        var tokenizer = TokenizerFiles.LoadLlama(parts.LlamaTokenizerPath);
        // the settings' template, else the repository's prompts/m2ugen-instruction.txt, else the built-in format_prompt
        var template = config.PromptTemplate ?? M2UGenPrompt.FindTemplate(Path.GetDirectoryName(config.File)!);
        var prompt = new M2UGenPrompt(tokenizer, template is { } t ? M2UGenPrompt.LoadTemplate(t) : null,
            Math.Min(config.MaxTokens, model.Llama.Config.ContextLength));
        using var encoders = new MediaEncoders(parts.EncoderPaths, backend);
        using var targets = projector
            ? ProjectorTargets.Load(manifest.TextEncoderPath, manifest.TokenizerPath, model.Projector!.Config.OutputTokens, model.Projector.Config.OutDim, backend)
            : null;
        var builder = new M2UGenExampleBuilder(prompt, new DatasetEntries(layout, Splits(config)), encoders, targets, parts.AudioTokens);
        List<M2UGenExample> Examples(Split split) => stage switch
        {
            M2UGenStage.Stage1 => builder.Stage1(split, modalities, cancellation),
            M2UGenStage.Stage2 => builder.Stage2(split),
            _ => builder.Stage3(split, config.Mixture, config.Seed, cancellation),
        };
        status?.Invoke("encoding the training and held-out media");
        var train = Examples(Split.Train);
        var valid = Examples(config.EvaluateOn).Take(config.ValidBatches * config.BatchSize).ToList();
        if (train.Count == 0) throw new InvalidDataException($"{layout.Root}: no training examples for {TrainingConfig.Name(config.Stage)} in the train split");
        var task = new M2UGenTrainingTask(model, groups, TrainingConfig.Name(config.Stage));
        var report = Train(config, task, train, valid, progress, cancellation);

        var trainedFolder = Path.Combine(config.Output, "trained");
        var files = new List<string>();
        var trainedParts = parts;
        foreach (var (part, file) in new[] { (M2UGenTrainingModel.LlamaPart, M2UGenSetPlan.LlamaFile), (M2UGenTrainingModel.AdaptersPart, M2UGenSetPlan.AdaptersFile), (M2UGenTrainingModel.ProjectorPart, M2UGenSetPlan.ProjectorFile) })
        {
            if (!task.Parameters.Any(p => p.Name.StartsWith(part + "/", StringComparison.Ordinal))) continue;
            var destination = Path.Combine(trainedFolder, file);
            Directory.CreateDirectory(trainedFolder);
            TrainedWeights.Export(model.FileOf(part), destination, task.Parameters, part);
            files.Add(destination);
            trainedParts = part switch
            {
                M2UGenTrainingModel.LlamaPart => trainedParts with { LlamaPath = destination, LlamaTokenizerPath = parts.LlamaTokenizerPath == parts.LlamaPath ? destination : parts.LlamaTokenizerPath },
                M2UGenTrainingModel.AdaptersPart => trainedParts with { AdaptersPath = destination },
                _ => trainedParts with { ProjectorPath = destination },
            };
        }
        var trainedManifest = WriteManifest(trainedFolder, manifest with { Name = manifest.Name + "-" + TrainingConfig.Name(config.Stage), Assistant = trainedParts }, files);
        return new TrainingJobResult(config, report, train.Count, valid.Count, builder.Skipped, files, trainedManifest);
    }

    private static TrainingJobResult RunMusicGen(TrainingConfig config, ModelSetManifest manifest, DatasetLayout layout, ComputeBackend backend,
        IProgress<TrainingProgress>? progress, Action<string>? status, CancellationToken cancellation)
    {
        status?.Invoke($"loading the MusicGen of {manifest.Name}");
        using var decoder = MusicGenDecoder.Load(manifest.DecoderPath, backend);
        List<MusicGenExample> train, valid;
        using (var codec = EncodecCodec.Load(manifest.CodecPath, backend))
        using (var text = TextConditioning.Load(manifest.TextEncoderPath, backend, decoder.Config.HiddenSize))
        {
            var builder = new MusicGenExampleBuilder(codec, text, new T5TextEncoding(TokenizerFiles.LoadSentencePiece(manifest.TokenizerPath)), decoder.Config.NumCodebooks);
            var entries = new DatasetEntries(layout, Splits(config));
            status?.Invoke("encoding the clips (EnCodec) and captions (T5)");
            train = builder.FromCaptions(entries, Split.Train, config.Seconds, cancellation);
            valid = builder.FromCaptions(entries, config.EvaluateOn, config.Seconds, cancellation).Take(config.ValidBatches * config.BatchSize).ToList();
        }
        if (train.Count == 0) throw new InvalidDataException($"{layout.Root}: no training clips in the train split");
        var task = new MusicGenFineTuneTask(decoder.Weights, config.ConditionDropout, config.Regularization);
        var report = Train(config, task, train, valid, progress, cancellation);
        var trainedFolder = Path.Combine(config.Output, "trained");
        Directory.CreateDirectory(trainedFolder);
        var destination = Path.Combine(trainedFolder, Path.GetFileName(manifest.DecoderPath));
        TrainedWeights.Export(manifest.DecoderPath, destination, task.Parameters, "decoder");
        var same = (string p) => p == manifest.DecoderPath ? destination : p;
        var trainedManifest = WriteManifest(trainedFolder, manifest with
        {
            Name = manifest.Name + "-finetuned", DecoderPath = destination, TextEncoderPath = same(manifest.TextEncoderPath),
            CodecPath = same(manifest.CodecPath), TokenizerPath = same(manifest.TokenizerPath),
        }, [destination]);
        return new TrainingJobResult(config, report, train.Count, valid.Count, 0, [destination], trainedManifest);
    }

    private static TrainingReport Train<TItem>(TrainingConfig config, ITrainingTask<TItem> task, List<TItem> train, List<TItem> valid,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        using var trainer = new Trainer<TItem>(task, config.Optimizer, config.Seed);
        var plan = new BatchPlan<TItem>(train, config.BatchSize, config.Optimizer.Accumulation, config.Seed);
        return TrainingRun.Run(trainer, plan, BatchPlan<TItem>.Fixed(valid, config.BatchSize),
            new RunSettings(config.Steps, config.EvaluateEvery, config.CheckpointEvery, config.Output, config.StopAfter), progress, cancellation);
    }

    private static string? WriteManifest(string folder, ModelSetManifest manifest, IReadOnlyList<string> files)
    {
        if (files.Count == 0) return null;
        var path = Path.Combine(folder, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, manifest);
        return path;
    }
}
