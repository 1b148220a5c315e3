using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The two tokenizers of an M2UGen set, both embedded in their GGUFs: the LLaMA's SentencePiece model with
/// [AUD0..7] added after its base vocabulary (M2UGen's _add_audio_token: non-special added tokens, ids base .. base+7,
/// so they must be the LLaMA's last vocabulary rows) and T5's for the text path (the MusicGen folder's, else one given).
/// Both are loaded and checked before any GGUF is written.
/// </summary>
public sealed class M2UGenSetTokenizers
{
    public M2UGenSetTokenizers(string llamaModel, int llamaVocabRows, IReadOnlyList<int> audioTokenIds, string musicgenFolder, string? t5Model)
    {
        if (!File.Exists(llamaModel))
            throw new FileNotFoundException($"LLaMA tokenizer '{llamaModel}' does not exist (give the tokenizer.model of the LLaMA the checkpoint was trained from)", llamaModel);
        AudioTokens = Enumerable.Range(0, audioTokenIds.Count).Select(i => $"[AUD{i}]").ToArray();
        Llama = LlamaTokenizer.Load(llamaModel, AudioTokens);
        if (Llama.VocabSize != llamaVocabRows)
            throw new ModelConfigException($"{llamaModel}: {Llama.VocabSize - AudioTokens.Count} pieces + {AudioTokens.Count} [AUD] tokens = {Llama.VocabSize}, but the checkpoint's LLaMA has {llamaVocabRows} vocabulary rows: not the tokenizer this checkpoint was trained with");
        for (var i = 0; i < AudioTokens.Count; i++)
            if (Llama.FindToken(AudioTokens[i]) != audioTokenIds[i])
                throw new ModelConfigException($"{llamaModel}: {AudioTokens[i]} gets id {Llama.FindToken(AudioTokens[i])}, but it is row {audioTokenIds[i]} of the checkpoint's LLaMA");

        var t5 = SentencePieceTokenizer.FolderCandidates.Select(n => Path.Combine(musicgenFolder, n)).FirstOrDefault(File.Exists)
                 ?? t5Model
                 ?? throw new ModelConfigException($"{musicgenFolder}: no T5 tokenizer ({string.Join(", ", SentencePieceTokenizer.FolderCandidates)}); give the MusicGen text encoder's spiece.model (--t5-tokenizer): the released text path needs it");
        if (!File.Exists(t5)) throw new FileNotFoundException($"T5 tokenizer '{t5}' does not exist", t5);
        T5 = SentencePieceTokenizer.Load(t5);
    }

    public LlamaTokenizer Llama { get; }
    public SentencePieceTokenizer T5 { get; }

    /// <summary>[AUD0]..[AUD7] as the tokenizer spells them.</summary>
    public IReadOnlyList<string> AudioTokens { get; }
}
