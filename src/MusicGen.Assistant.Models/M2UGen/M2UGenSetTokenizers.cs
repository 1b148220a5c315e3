using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// The two tokenizers of an M2UGen set: the LLaMA's SentencePiece model with [AUD0..7] added after its base vocabulary
/// (M2UGen's _add_audio_token: ids base .. base+7, so base + 8 must be the LLaMA's vocabulary rows) and T5's for the
/// text path (the MusicGen folder's, else one given). Each is embedded in its GGUF when the family's writer can, else
/// copied beside the GGUFs; <see cref="Place"/> says where the manifest finds it.
/// </summary>
public sealed class M2UGenSetTokenizers
{
    public M2UGenSetTokenizers(string llamaModel, int llamaVocabRows, IReadOnlyList<int> audioTokenIds, string musicgenFolder, string? t5Model)
    {
        if (!File.Exists(llamaModel))
            throw new FileNotFoundException($"LLaMA tokenizer '{llamaModel}' does not exist (give the tokenizer.model of the LLaMA the checkpoint was trained from)", llamaModel);
        var llama = SentencePieceTokenizer.Load(llamaModel);
        if (llama.VocabSize + audioTokenIds.Count != llamaVocabRows)
            throw new ModelConfigException($"{llamaModel}: {llama.VocabSize} pieces + {audioTokenIds.Count} [AUD] tokens = {llama.VocabSize + audioTokenIds.Count}, but the checkpoint's LLaMA has {llamaVocabRows} vocabulary rows: not the tokenizer this checkpoint was trained with");
        for (var i = 0; i < audioTokenIds.Count; i++)
            if (audioTokenIds[i] != llama.VocabSize + i)
                throw new ModelConfigException($"[AUD{i}] is id {audioTokenIds[i]} in the LLaMA, but the tokenizer adds it as {llama.VocabSize + i}");
        LlamaModel = Path.GetFullPath(llamaModel);
        AudioTokens = Enumerable.Range(0, audioTokenIds.Count).Select(i => $"[AUD{i}]").ToArray();

        T5Model = SentencePieceTokenizer.FolderCandidates.Select(n => Path.Combine(musicgenFolder, n)).FirstOrDefault(File.Exists)
                  ?? t5Model
                  ?? throw new ModelConfigException($"{musicgenFolder}: no T5 tokenizer ({string.Join(", ", SentencePieceTokenizer.FolderCandidates)}); give the MusicGen text encoder's spiece.model (--t5-tokenizer): the released text path needs it");
        if (!File.Exists(T5Model)) throw new FileNotFoundException($"T5 tokenizer '{T5Model}' does not exist", T5Model);
        SentencePieceTokenizer.Load(T5Model); // a broken file fails here, before any GGUF is written
        T5Model = Path.GetFullPath(T5Model);
    }

    public string LlamaModel { get; }
    public string T5Model { get; }
    public IReadOnlyList<string> AudioTokens { get; }

    /// <summary>Set when the LLaMA GGUF carries the tokenizer (tokenizer.ggml.* with the [AUD] tokens).</summary>
    public string? LlamaEmbeddedIn { get; set; }

    /// <summary>Set when the MusicGen GGUF carries T5's tokenizer.</summary>
    public string? T5EmbeddedIn { get; set; }

    /// <summary>
    /// Where the manifest finds each tokenizer in <paramref name="folder"/>: the GGUF that embeds it, else a copy of the
    /// file (tokenizer.model / spiece.model) written beside the GGUFs.
    /// </summary>
    public (string Llama, string T5) Place(string folder, List<string> notes)
    {
        string CopyBeside(string source, string name, string what)
        {
            var target = Path.Combine(folder, name);
            if (Path.GetFullPath(source) != Path.GetFullPath(target))
            {
                var temp = target + ".partial";
                File.Copy(source, temp, overwrite: true);
                File.Move(temp, target, overwrite: true);
            }
            notes.Add($"the {what} tokenizer is copied beside the GGUFs as {name}");
            return target;
        }
        return (LlamaEmbeddedIn is { } l ? Path.Combine(folder, l) : CopyBeside(LlamaModel, "tokenizer.model", "LLaMA"),
                T5EmbeddedIn is { } t ? Path.Combine(folder, t) : CopyBeside(T5Model, "spiece.model", "T5"));
    }
}
