using System.Globalization;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>tanh(gate) of one injected LLaMA layer, per head, and the modalities whose adapter token it receives.</summary>
public sealed record AdapterGateLayer(int Layer, IReadOnlyList<M2UGenModality> Modalities, IReadOnlyList<double> TanhGates);

/// <summary>A modality's gates over every layer it is injected into: tanh(gate) min / max / mean over layers × heads.</summary>
public sealed record ModalityGateSummary(M2UGenModality Modality, IReadOnlyList<int> Layers, double Min, double Max, double Mean)
{
    /// <summary>Every gate is zero: tanh(gate)·(Wv·a) adds nothing, so this modality cannot reach the answer.</summary>
    public bool AllZero => Min == 0 && Max == 0;
}

/// <summary>
/// What an M2UGen checkpoint's adapter gates let through. Each injected layer adds tanh(gate_h)·(Wv·a)_h to head h's
/// attention output (llama.py Attention), so a zero gate silences its modality there; the released checkpoints never
/// trained <c>gate</c> (it stays at its zero init), which makes MERT / ViT / ViViT and the adapters dead weight. Which
/// layers get which modality is the LLaMA's <see cref="AdapterInjection"/> (from <c>prefix_query</c>'s rows): HEAD
/// gives each modality its own group of layers, the older summed layout gives all three to every injected layer.
/// </summary>
public sealed class AdapterGateReport
{
    private AdapterGateReport(AdapterInjection injection, IReadOnlyList<AdapterGateLayer> layers, IReadOnlyList<ModalityGateSummary> summaries)
    {
        Injection = injection;
        Layers = layers;
        Summaries = summaries;
    }

    public AdapterInjection Injection { get; }
    public IReadOnlyList<AdapterGateLayer> Layers { get; }
    public IReadOnlyList<ModalityGateSummary> Summaries { get; }

    /// <summary>One warning per modality whose gates are all zero.</summary>
    public IReadOnlyList<string> Warnings => Summaries.Where(s => s.AllZero).Select(s =>
        $"every {s.Modality.Name()} adapter gate is zero (tanh(gate) = 0 in layers {Range(s.Layers)}): this modality cannot reach the answer; its encoder and adapter have no effect on the reply").ToList();

    /// <summary>
    /// Reads tanh(gate) of every injected layer (<see cref="M2UGenLlamaCheckpointKeys.Gate"/>, [1, heads, 1, 1]) of a
    /// state dict whose names start with <paramref name="statePrefix"/> ("" or "module.").
    /// </summary>
    public static AdapterGateReport FromCheckpoint(ITensorCheckpoint checkpoint, AdapterInjection injection, string statePrefix = "")
    {
        var reader = new CheckpointReader(checkpoint);
        var layers = new List<AdapterGateLayer>();
        for (var layer = injection.FirstLayer; layer < injection.Layers; layer++)
        {
            var name = statePrefix + M2UGenLlamaCheckpointKeys.Gate(layer);
            if (!checkpoint.Contains(name))
                throw new ModelWeightsException($"{checkpoint.Source}: missing tensor '{name}' (layer {layer} receives an adapter token)");
            var shape = checkpoint.Shape(name);
            if (shape.Length != 4 || shape[0] != 1 || shape[1] < 1 || shape[2] != 1 || shape[3] != 1)
                throw new ModelWeightsException($"{checkpoint.Source}: tensor '{name}' has shape [{string.Join(", ", shape)}], expected [1, heads, 1, 1]");
            var gates = reader.Read(name, shape);
            layers.Add(new AdapterGateLayer(layer, injection.Contributors(layer), gates.Select(g => Math.Tanh(g)).ToArray()));
        }

        var summaries = M2UGenModalities.All.Select(m =>
        {
            var mine = layers.Where(l => l.Modalities.Contains(m)).ToList();
            var all = mine.SelectMany(l => l.TanhGates).ToList();
            return all.Count == 0 ? new ModalityGateSummary(m, [], 0, 0, 0)
                : new ModalityGateSummary(m, mine.Select(l => l.Layer).ToList(), all.Min(), all.Max(), all.Average());
        }).ToList();
        return new AdapterGateReport(injection, layers, summaries);
    }

    /// <summary>The report as lines: the layout, one summary per modality, one line per layer with every head.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>
        {
            Injection.Layout == AdapterLayout.Head
                ? "adapter gates (HEAD layout: each modality its own layers), tanh(gate) per head:"
                : "adapter gates (summed layout: music + image + video in each injected layer), tanh(gate) per head:",
        };
        foreach (var s in Summaries)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Modality.Name(),-5} layers {Range(s.Layers)}: min {s.Min:0.######}, max {s.Max:0.######}, mean {s.Mean:0.######}{(s.AllZero ? "  (all zero)" : "")}"));
        foreach (var l in Layers)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  layer {l.Layer} ({string.Join("+", l.Modalities.Select(m => m.Name()))}): {string.Join(" ", l.TanhGates.Select(g => g.ToString("0.######", CultureInfo.InvariantCulture)))}"));
        return lines;
    }

    private static string Range(IReadOnlyList<int> layers) => layers.Count == 0 ? "none" : $"{layers[0]}..{layers[^1]}";
}
