using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// The gated adapter term built inside a training graph (GatedAdapterTerm.Build / Input, the formula written once in
/// Models): per injected layer tanh(gate_h)·(Wv·a)_h with a = prefix row + the present modality vectors, so the
/// gates, the prefix rows and the adapters that produced the vectors all receive gradients.
/// </summary>
public sealed class TrainingAdapterHook(LlamaWeights llama, M2UGenBridgeWeights bridge, IReadOnlyDictionary<M2UGenModality, Tensor> present)
    : IAttentionOutputHook
{
    public Tensor Apply(GgmlContext ctx, int layer, Tensor attention)
    {
        if (!bridge.Injection.Injects(layer)) return attention;
        var a = GatedAdapterTerm.Input(ctx, bridge.Injection, layer, bridge.PrefixRows, present);
        var term = GatedAdapterTerm.Build(ctx, llama.Layers[layer].Attention, bridge.Gate(layer), a);     // {H·hd, 1}
        return ctx.Add(attention, term);                                                                  // every position
    }
}
