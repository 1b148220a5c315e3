using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Models.ModelSets;

/// <summary>
/// The parts an M2UGen assistant set adds to the MusicGen files of a <see cref="ModelSetManifest"/> (kind
/// <c>m2ugen</c>): the LLaMA (with the [AUD] tokens) and its tokenizer, the understanding encoders and adapters, the
/// output projector, and which path conditions MusicGen. Paths are absolute here, relative in the JSON file.
/// </summary>
public sealed record AssistantParts
{
    /// <summary>The LLaMA GGUF: base vocabulary + the [AUD] rows, bias / LoRA / gate / prefix tensors.</summary>
    public required string LlamaPath { get; init; }

    /// <summary>The LLaMA tokenizer with the [AUD] tokens added: a GGUF carrying tokenizer.ggml.* or a SentencePiece .model.</summary>
    public required string LlamaTokenizerPath { get; init; }

    public required string AdaptersPath { get; init; }
    public required string ProjectorPath { get; init; }

    /// <summary>The encoder GGUF of each modality the set can take (MERT for music, ViT, ViViT); a missing one cannot be attached.</summary>
    public IReadOnlyDictionary<M2UGenModality, string> EncoderPaths { get; init; } = new Dictionary<M2UGenModality, string>();

    /// <summary>[AUD0]..[AUD7]: the tokens whose hidden states feed the projector, as the tokenizer spells them.</summary>
    public IReadOnlyList<string> AudioTokens { get; init; } = DefaultAudioTokens;

    /// <summary>How a reply's [AUD] tokens condition MusicGen; the released model uses the reply text.</summary>
    public MusicConditioningPath MusicConditioning { get; init; } = MusicConditioningPath.Text;

    public static IReadOnlyList<string> DefaultAudioTokens { get; } = Enumerable.Range(0, 8).Select(i => $"[AUD{i}]").ToArray();

    /// <summary>Every file the parts name, with the manifest field it came from (for existence checks).</summary>
    public IEnumerable<(string Field, string Path)> Files()
    {
        yield return ("assistant.llama", LlamaPath);
        yield return ("assistant.llama_tokenizer", LlamaTokenizerPath);
        yield return ("assistant.adapters", AdaptersPath);
        yield return ("assistant.projector", ProjectorPath);
        foreach (var (m, path) in EncoderPaths.OrderBy(p => p.Key)) yield return ($"assistant.encoders.{m.Name()}", path);
    }
}
