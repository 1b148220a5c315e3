using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.M2UGen;
using MusicGen.Assistant.Training.MusicGenLm;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Settings;

namespace MusicGen.Assistant.Training.Jobs;

/// <summary>What `mga train` runs.</summary>
public enum TrainingStage { Stage1, Stage2, Stage3, MusicGen }

/// <summary>Where the data comes from: a dataset folder, built first from a procedural spec when the folder has none yet.</summary>
public sealed record DatasetSource(string Folder, SyntheticDatasetSpec? Spec);

/// <summary>
/// A training run's settings file (under datasets/, paths relative to it): the stage, the model set, the data, the
/// output folder, the schedule and optimizer, and the stage's own switches. Every field is checked with the file and
/// the field named; unknown fields are refused.
/// </summary>
public sealed record TrainingConfig(
    string File, TrainingStage Stage, string Model, DatasetSource Dataset, string Output, ulong Seed, long Steps, int BatchSize,
    OptimizerSettings Optimizer, int EvaluateEvery, int CheckpointEvery, int? Threads, long? StopAfter,
    M2UGenTrainable? Train, IReadOnlySet<M2UGenModality> Modalities, string? PromptTemplate, int MaxTokens, Stage3Mixture Mixture,
    bool ProjectorLoss, double Seconds, double ConditionDropout, RegularizationSettings Regularization, int ValidBatches,
    Split EvaluateOn = Split.Valid)
{
    public static TrainingConfig Load(string path, TrainingStage? expected = null)
    {
        var s = SettingsObject.Load(path);
        var stage = s.Enum("stage", expected ?? TrainingStage.Stage1);
        if (!s.Has("stage") && expected is null) throw s.Error("stage", "is missing (stage1, stage2, stage3 or musicgen)");
        if (expected is { } e && stage != e)
            throw s.Error("stage", $"is {Name(stage)}, but `mga train {Name(e)}` was asked for");
        var dataset = ReadDataset(s);
        var o = s.Object("optimizer");
        var optimizer = new OptimizerSettings(
            o?.Double("lr", 1e-4, 1e-12, 10) ?? 1e-4, o?.Double("min_lr", 1e-6, 0, 10) ?? 1e-6, o?.Int("warmup_steps", 0, 0, int.MaxValue) ?? 0,
            o?.Double("beta1", 0.9, 0, 0.999999) ?? 0.9, o?.Double("beta2", 0.95, 0, 0.999999) ?? 0.95, o?.Double("eps", 1e-8, 0, 1) ?? 1e-8,
            o?.Double("weight_decay", 0.05, 0, 1) ?? 0.05, o?.Double("max_grad_norm", 1.0, 0, 1e9) ?? 1.0, s.Int("accumulation", 1, 1, 1 << 16));
        try { optimizer.Validate(); }
        catch (ArgumentException x) { throw s.Error("optimizer", x.Message); }
        var mix = s.Object("mixture");
        var musicgen = s.Object("musicgen");
        var rr = musicgen?.Object("regularization");
        var config = new TrainingConfig(
            Path.GetFullPath(path), stage, s.PathValue("model"), dataset, s.PathValue("output"), s.Seed("seed", 420),
            s.Int("steps", null, 1, int.MaxValue), s.Int("batch_size", 1, 1, 4096), optimizer,
            s.Int("evaluate_every", 0, 0, int.MaxValue), s.Int("checkpoint_every", 0, 0, int.MaxValue),
            s.Has("threads") ? s.Int("threads", null, 1, 1024) : null, s.Has("stop_after") ? s.Int("stop_after", null, 1, int.MaxValue) : null,
            Groups(s), ReadModalities(s), s.OptionalPath("prompt_template"), s.Int("max_tokens", 1024, 4, 1 << 20),
            new Stage3Mixture(mix?.Double("music_qa", 1, 0, 100) ?? 1, mix?.Double("alpaca", 1, 0, 100) ?? 1, mix?.Double("image", 1, 0, 100) ?? 1,
                mix?.Double("video", 1, 0, 100) ?? 1, mix?.Double("edit", 1, 0, 100) ?? 1),
            s.Bool("projector_loss", true),
            musicgen?.Double("seconds", 10, 0.02, 600) ?? 10, musicgen?.Double("condition_dropout", 0.3, 0, 1) ?? 0.3,
            new RegularizationSettings(rr?.Bool("enabled", true) ?? true, rr?.Double("lambda", 3.0, 0, 1e6) ?? 3.0, rr?.Enum("pooling", Pooling.Max) ?? Pooling.Max),
            s.Int("valid_batches", 8, 0, 1 << 20),
            s.Enum("evaluate_on", Split.Valid));
        if (stage != TrainingStage.MusicGen && musicgen is not null) throw s.Error("musicgen", $"belongs to a musicgen run, not {Name(stage)}");
        if (stage != TrainingStage.Stage3 && mix is not null) throw s.Error("mixture", $"belongs to stage3, not {Name(stage)}");
        s.RejectUnknown(o, mix, musicgen, rr);
        return config;
    }

    public static string Name(TrainingStage stage) => stage.ToString().ToLowerInvariant();

    private static DatasetSource ReadDataset(SettingsObject s)
    {
        if (!s.Has("dataset")) throw s.Error("dataset", "is missing (a dataset folder, or {\"spec\": FILE, \"folder\": DIR})");
        if (!s.IsObject("dataset")) return new DatasetSource(s.PathValue("dataset"), null);
        var d = s.Object("dataset")!;
        var spec = d.OptionalPath("spec");
        var folder = d.PathValue("folder");
        d.RejectUnknown();
        return new DatasetSource(folder, spec is null ? null : SyntheticDatasetSpec.Load(spec));
    }

    private static M2UGenTrainable? Groups(SettingsObject s)
    {
        if (!s.Has("train")) return null;
        var value = M2UGenTrainable.None;
        foreach (var name in s.String("train").Split([',', ' ', '|'], StringSplitOptions.RemoveEmptyEntries))
            value |= Enum.TryParse<M2UGenTrainable>(name, ignoreCase: true, out var g) && g != M2UGenTrainable.None ? g
                : throw s.Error("train", $"names '{name}'; groups are {string.Join(", ", Enum.GetNames<M2UGenTrainable>().Skip(1).Select(n => n.ToLowerInvariant()))}");
        return value;
    }

    private static IReadOnlySet<M2UGenModality> ReadModalities(SettingsObject s)
    {
        if (!s.Has("modalities")) return new HashSet<M2UGenModality>(M2UGenModalities.All);
        var set = new HashSet<M2UGenModality>();
        foreach (var name in s.String("modalities").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var match = M2UGenModalities.All.Where(m => m.Name() == name.ToLowerInvariant()).ToList();
            if (match.Count == 0) throw s.Error("modalities", $"names '{name}'; modalities are {string.Join(", ", M2UGenModalities.All.Select(x => x.Name()))}");
            set.Add(match[0]);
        }
        return set;
    }
}
