using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// Loads a tokenizer from whatever a model set names: a GGUF that carries one (llama.cpp's <c>tokenizer.ggml.*</c>
/// metadata), a sentencepiece <c>.model</c>, a Hugging Face <c>tokenizer.json</c>, or a checkpoint folder holding one.
/// The kind is recognised from the content (the GGUF magic), not from the file name.
/// </summary>
public static class TokenizerFiles
{
    /// <summary>True when <paramref name="path"/> is a file that starts with the GGUF magic.</summary>
    public static bool IsGguf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // only a regular file is opened to look (a FIFO would block): anything else is refused by whoever reads it
        if (!File.Exists(path) || Native.Files.InputFile.KindOf(path) != Native.Files.FileKind.Regular) return false;
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("GGUF"u8);
    }

    /// <summary>True when <paramref name="path"/> is a GGUF file with an embedded tokenizer.</summary>
    public static bool HasEmbeddedTokenizer(string path)
    {
        if (!IsGguf(path)) return false;
        using var file = GgufFile.Open(path);
        return GgufTokenizer.IsPresent(file.Metadata);
    }

    /// <summary>The raw SentencePiece tokenizer (T5's input encoding uses it) from a GGUF, a tokenizer file or a folder.</summary>
    public static SentencePieceTokenizer LoadSentencePiece(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsGguf(path)) return SentencePieceTokenizer.Load(path);
        using var file = GgufFile.Open(path);
        RequireEmbedded(file);
        return GgufTokenizer.LoadSentencePiece(file.Metadata);
    }

    /// <summary>
    /// The LLaMA tokenizer from a GGUF (its added tokens are in it) or from a sentencepiece <c>.model</c> / folder with
    /// <paramref name="addedTokens"/> appended (e.g. M2UGen's [AUD0]..[AUD7]); added tokens cannot be given for a GGUF.
    /// </summary>
    public static LlamaTokenizer LoadLlama(string path, IEnumerable<string>? addedTokens = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsGguf(path)) return LlamaTokenizer.Load(path, addedTokens);
        if (addedTokens is not null && addedTokens.Any())
            throw new ArgumentException($"'{path}' is a GGUF: its added tokens are part of its vocabulary and cannot be given again", nameof(addedTokens));
        using var file = GgufFile.Open(path);
        RequireEmbedded(file);
        return GgufTokenizer.LoadLlama(file.Metadata);
    }

    private static void RequireEmbedded(GgufFile file)
    {
        if (!GgufTokenizer.IsPresent(file.Metadata))
            throw new GgufFormatException(file.Path, $"metadata key '{TokenizerKeys.Model}'",
                "is missing: this GGUF carries no tokenizer (convert the checkpoint folder with its tokenizer files, or name the tokenizer file)");
    }
}
