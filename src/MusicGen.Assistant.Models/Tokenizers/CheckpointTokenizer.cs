using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// The conversion hook that makes every converted GGUF carry its tokenizer (llama.cpp's convention), so a downloaded
/// Hugging Face folder converts into one file that generates with nothing copied beside it:
/// <list type="bullet">
/// <item>musicgen, musicgen_melody: the T5 tokenizer (<c>spiece.model</c>, else a unigram <c>tokenizer.json</c>) as a
/// "t5" vocabulary;</item>
/// <item>llama: <c>tokenizer.model</c> with the folder's added tokens (see <see cref="HfLlamaTokenizerFolder"/>) as a
/// "llama" vocabulary padded to config.json's vocab_size.</item>
/// </list>
/// Other families carry no tokenizer. A folder without tokenizer files converts as before, without one (the model set
/// then looks for a tokenizer file beside the GGUF); a tokenizer file that is there but broken fails the conversion.
/// </summary>
public static class CheckpointTokenizer
{
    /// <summary>A tokenizer found in a checkpoint folder: the metadata to write and a line saying what it is.</summary>
    public sealed record Found(IReadOnlyList<KeyValuePair<string, GgufValue>> Entries, string Description);

    public static Found? Find(string directory, string modelType)
    {
        ArgumentNullException.ThrowIfNull(directory);
        switch (modelType)
        {
            case "musicgen" or "musicgen_melody":
            {
                if (!SentencePieceTokenizer.FolderCandidates.Any(name => File.Exists(Path.Combine(directory, name)))) return null;
                var t5 = SentencePieceTokenizer.Load(directory);
                return new Found(TokenizerGgufWriter.Entries(t5),
                    $"the T5 tokenizer ({Path.GetFileName(t5.Source)}, {t5.VocabSize} pieces) is embedded as tokenizer.ggml.* metadata");
            }
            case "llama":
            {
                var loaded = HfLlamaTokenizerFolder.Load(directory);
                if (loaded is null) return null;
                var (llama, vocabSize) = loaded.Value;
                return new Found(TokenizerGgufWriter.Entries(llama, vocabSize),
                    $"the LLaMA tokenizer ({HfLlamaTokenizerFolder.ModelFile}, {llama.VocabSize} ids, {llama.AddedTokenIds.Count} added tokens) is embedded as tokenizer.ggml.* metadata");
            }
            default:
                return null;
        }
    }

    /// <summary>The plan with the tokenizer's metadata added, or the plan itself when nothing was found.</summary>
    public static IConversionPlan Attach(IConversionPlan plan, Found? found) =>
        found is null ? plan : new TokenizerMetadataPlan(plan, found.Entries);
}
