using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// M2UGen's LLaMA: a <see cref="LlamaModel"/> (with its bias-tuning and LoRA terms) plus the bridge weights of the
/// adapter injection (<see cref="M2UGenBridgeWeights"/>), loaded from one GGUF. A turn's adapter vectors become a
/// <see cref="GatedAdapterTerm"/> every graph of the turn adds.
/// </summary>
public sealed class M2UGenLlama : IDisposable
{
    private M2UGenLlama(LlamaModel model, M2UGenBridgeWeights bridge)
    {
        Model = model;
        Bridge = bridge;
    }

    /// <param name="repackMatrices">Keep the block matrices repacked for the CPU's kernels where ggml does (inference);
    /// off for training, whose backward pass runs through them (<see cref="LlamaWeights"/>).</param>
    public static M2UGenLlama Load(string ggufPath, ComputeBackend backend, bool repackMatrices = true)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend, repackMatrices);
    }

    public static M2UGenLlama Load(GgufFile file, ComputeBackend backend, bool repackMatrices = true)
    {
        var model = LlamaModel.Load(file, backend, repackMatrices);
        try { return new M2UGenLlama(model, new M2UGenBridgeWeights(file, model.Config, backend)); }
        catch { model.Dispose(); throw; }
    }

    public LlamaModel Model { get; }
    public M2UGenBridgeWeights Bridge { get; }
    public LlamaConfig Config => Model.Config;

    /// <summary>[AUD0]..[AUD7] as the converted file names them.</summary>
    public IReadOnlyList<int> AudioTokenIds => Bridge.AudioTokenIds;

    /// <summary>The gated terms of a turn's adapter vectors (dispose after the turn).</summary>
    public GatedAdapterTerm AdapterTerm(M2UGenAdapterInputs inputs) => new(Model, Bridge, inputs);

    /// <summary>forward_inference over a whole sequence from position 0 (M2UGen.forward_inference's graph, every position).</summary>
    public LlamaForward Forward(ReadOnlySpan<int> tokens, M2UGenAdapterInputs inputs, LlamaOutputs outputs = LlamaOutputs.Logits)
    {
        using var term = AdapterTerm(inputs);
        return Model.Forward(tokens, outputs, term);
    }

    public void Dispose()
    {
        Bridge.Dispose();
        Model.Dispose();
    }
}
