using System.Globalization;
using System.Text.Json;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.Optimization;

/// <summary>One logged step: train loss and metrics, rate, gradient norm, and the held-out loss when evaluated there.</summary>
public sealed record StepRecord(long Step, double Loss, double LearningRate, double GradientNorm, double? ValidLoss, IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double>? ValidMetrics = null);

/// <summary>
/// A training checkpoint as one GGUF file: every trainable parameter, its AdamW moments and update count, the step,
/// the settings fingerprint and the loss history, so a resumed run continues bit for bit where the interrupted one
/// stopped. Written to a partial file and renamed (GgufWriter), so a crash never leaves a torn checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Format = "mga.training.format";
    private const string FormatValue = "mga-train/1";
    private const string TaskKey = "mga.training.task";
    private const string StepKey = "mga.training.step";
    private const string FingerprintKey = "mga.training.fingerprint";
    private const string UpdatesKey = "mga.training.updates";
    private const string HistoryKey = "mga.training.history";

    // step 0 carries no training loss (NaN): JSON spells it "NaN"
    private static readonly JsonSerializerOptions HistoryJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save<TItem>(string path, Trainer<TItem> trainer, string fingerprint, IReadOnlyList<StepRecord> history)
    {
        var slots = trainer.State.Slots;
        using var writer = new GgufWriter(path);
        writer.SetMetadata(Format, GgufValue.FromString(FormatValue));
        writer.SetMetadata(TaskKey, GgufValue.FromString(trainer.TaskName));
        writer.SetMetadata(StepKey, GgufValue.FromInt64(trainer.Step));
        writer.SetMetadata(FingerprintKey, GgufValue.FromString(fingerprint));
        writer.SetMetadata(UpdatesKey, GgufValue.FromArray(GgufArray.Of(slots.Select(s => s.Updates).ToArray())));
        writer.SetMetadata(HistoryKey, GgufValue.FromString(JsonSerializer.Serialize(history, HistoryJson)));
        writer.SetMetadata("mga.training.names", GgufValue.FromArray(GgufArray.Of(slots.Select(s => s.Parameter.Name).ToArray())));
        for (var i = 0; i < slots.Count; i++)
            foreach (var (prefix, t) in Parts(slots[i]))
                writer.AddTensor($"{prefix}.{i}", GgmlType.F32, t.Shape.Take(t.Rank).ToArray());
        writer.WriteHeader();
        for (var i = 0; i < slots.Count; i++)
            foreach (var (prefix, t) in Parts(slots[i]))
                writer.WriteTensorData($"{prefix}.{i}", System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>(t.ToFloatArray()));
        writer.Finish();
    }

    /// <summary>Restores parameters, moments, update counts and the step; returns the history. Refuses a checkpoint of other settings or parameters.</summary>
    public static IReadOnlyList<StepRecord> Load<TItem>(string path, Trainer<TItem> trainer, string fingerprint)
    {
        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        if (!m.TryGet(Format, out var f) || f.Type != GgufValueType.STRING || f.AsString() != FormatValue)
            throw new InvalidDataException($"{path}: not a training checkpoint of this program (no {Format} = {FormatValue})");
        var task = m.Get(TaskKey, GgufValueType.STRING).AsString();
        if (task != trainer.TaskName) throw new InvalidDataException($"{path}: a checkpoint of '{task}', not of '{trainer.TaskName}'");
        var saved = m.Get(FingerprintKey, GgufValueType.STRING).AsString();
        if (saved != fingerprint)
            throw new InvalidDataException($"{path}: written with other settings ({saved}); this run has ({fingerprint}). Resume with the same settings, or start in another output folder");
        var names = m.Get("mga.training.names", GgufValueType.ARRAY).AsArray().AsStrings();
        var updates = m.Get(UpdatesKey, GgufValueType.ARRAY).AsArray().AsSpan<long>().ToArray();
        var slots = trainer.State.Slots;
        if (names.Count != slots.Count || updates.Length != slots.Count)
            throw new InvalidDataException($"{path}: holds {names.Count} parameters, this run trains {slots.Count}");
        for (var i = 0; i < slots.Count; i++)
        {
            if (names[i] != slots[i].Parameter.Name)
                throw new InvalidDataException($"{path}: parameter {i} is '{names[i]}', this run's is '{slots[i].Parameter.Name}'");
            foreach (var (prefix, t) in Parts(slots[i]))
            {
                var info = file.GetTensor($"{prefix}.{i}");
                if (info.Type != GgmlType.F32 || info.ElementCount != t.ElementCount)
                    throw new InvalidDataException($"{path}: '{prefix}.{i}' ({names[i]}) has {info.ElementCount} {info.Type} values, the parameter {t.ShapeText}");
                t.SetData<float>(file.ReadFloat32($"{prefix}.{i}"));
            }
            slots[i].Updates = updates[i];
        }
        trainer.Step = m.Get(StepKey, GgufValueType.INT64).AsInt64();
        return JsonSerializer.Deserialize<List<StepRecord>>(m.Get(HistoryKey, GgufValueType.STRING).AsString(), HistoryJson) ?? [];
    }

    private static IEnumerable<(string Prefix, Tensor Tensor)> Parts(ParameterSlot s) =>
        [("param", s.Parameter.Tensor), ("adam_m", s.M), ("adam_v", s.V)];

    /// <summary>The settings a resumed run must share with the run that wrote the checkpoint.</summary>
    public static string Fingerprint(OptimizerSettings o, ulong seed, long totalSteps, int batchSize, int items) =>
        string.Create(CultureInfo.InvariantCulture,
            $"lr={o.LearningRate:R} min={o.MinLearningRate:R} warmup={o.WarmupSteps} betas={o.Beta1:R},{o.Beta2:R} eps={o.Epsilon:R} wd={o.WeightDecay:R} clip={o.MaxGradNorm:R} accum={o.Accumulation} seed={seed} steps={totalSteps} batch={batchSize} items={items}");
}
