using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The LLaMA part of an M2UGen set: its plan, its width and the ids of [AUD0..7].</summary>
public sealed record M2UGenLlamaPart(IConversionPlan Plan, int Dim, int VocabSize, IReadOnlyList<int> AudioTokenIds);

/// <summary>
/// The plans of the M2UGen set that other families own, plugged in at one place: the LLaMA conversion of
/// <c>llama.*</c> + <c>prefix_query</c> (Models/Llama) and the tokenizers embedded as tokenizer.ggml.* metadata
/// (Models/Tokenizers).
/// </summary>
public static class M2UGenSetFamilies
{
    /// <summary>The LLaMA of the checkpoint with its full vocabulary (base + [AUD] rows), biases, LoRA, gates and prefix rows.</summary>
    public static M2UGenLlamaPart LlamaPlan(ITensorCheckpoint checkpoint, string? configJson, string configSource) =>
        throw new NotSupportedException("TODO(h-llama): the M2UGen LLaMA conversion plan is not merged yet");

    /// <summary>
    /// The LLaMA plan with the tokenizer (base pieces + the [AUD] tokens) embedded as tokenizer.ggml.* metadata; marks
    /// <paramref name="tokenizers"/> when it is (else the manifest names a copy of tokenizer.model).
    /// </summary>
    public static IConversionPlan WithLlamaTokenizer(IConversionPlan llama, M2UGenSetTokenizers tokenizers, string file) =>
        llama; // TODO(h-tok): embed with the tokenizer GGUF writer and set tokenizers.LlamaEmbeddedIn = file

    /// <summary>MusicGen's plan with T5's tokenizer embedded; marks <paramref name="tokenizers"/> when it is.</summary>
    public static IConversionPlan WithT5Tokenizer(IConversionPlan musicgen, M2UGenSetTokenizers tokenizers, string file) =>
        musicgen; // TODO(h-tok): embed with the tokenizer GGUF writer and set tokenizers.T5EmbeddedIn = file
}
