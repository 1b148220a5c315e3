using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Tokenizers;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>The LLaMA part of an M2UGen set: its plan (tokenizer embedded), width, vocabulary, [AUD] ids and adapter injection.</summary>
public sealed record M2UGenLlamaPart(IConversionPlan Plan, int Dim, int VocabSize, IReadOnlyList<int> AudioTokenIds,
    AdapterInjection Injection, string StatePrefix);

/// <summary>
/// The plans of the M2UGen set that other families own, plugged in at one place: the LLaMA conversion of
/// <c>llama.*</c> + <c>prefix_query</c> (<see cref="M2UGenLlamaPlan"/>) and the tokenizers embedded as llama.cpp's
/// tokenizer.ggml.* metadata (<see cref="TokenizerGgufWriter"/>).
/// </summary>
public static class M2UGenSetFamilies
{
    /// <summary>
    /// The LLaMA of the checkpoint with its full vocabulary (base + [AUD] rows), biases, LoRA, gates and prefix rows,
    /// carrying <paramref name="tokenizers"/>' LLaMA tokenizer (the [AUD] tokens added).
    /// </summary>
    public static M2UGenLlamaPart LlamaPlan(ITensorCheckpoint checkpoint, string? configJson, string configSource, Func<M2UGenLlamaPlan, M2UGenSetTokenizers> tokenizers)
    {
        var settings = configJson is null ? M2UGenLlamaSettings.Default : M2UGenLlamaSettings.FromConfigJson(configJson, configSource);
        var prefix = M2UGenLlamaPlan.StatePrefix(checkpoint);
        var plan = new M2UGenLlamaPlan(checkpoint, settings, prefix);
        var t = tokenizers(plan);
        return new M2UGenLlamaPart(new TokenizerMetadataPlan(plan, TokenizerGgufWriter.Entries(t.Llama, plan.Config.VocabSize)),
            plan.Config.EmbeddingLength, plan.Config.VocabSize, plan.AudioTokenIds, plan.Injection, prefix);
    }

    /// <summary>MusicGen's plan carrying T5's tokenizer (what the released text path encodes the reply with).</summary>
    public static IConversionPlan WithT5Tokenizer(IConversionPlan musicgen, M2UGenSetTokenizers tokenizers) =>
        new TokenizerMetadataPlan(musicgen, TokenizerGgufWriter.Entries(tokenizers.T5));
}
