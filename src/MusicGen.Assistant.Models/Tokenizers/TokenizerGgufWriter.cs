using System.Globalization;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Text.SentencePiece;
using K = MusicGen.Assistant.Models.Tokenizers.TokenizerKeys;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// Writes a SentencePiece tokenizer as llama.cpp's <c>tokenizer.ggml.*</c> metadata (see <see cref="TokenizerKeys"/>),
/// so that a converted GGUF carries its tokenizer and <see cref="GgufTokenizer"/> rebuilds the same ids and pieces:
/// every piece with its score and type (added tokens are USER_DEFINED pieces, as llama.cpp writes Hugging Face's added
/// tokens), the special ids, add_bos / add_eos, the dummy prefix, whitespace folding and the normalizer's charsmap.
/// A model whose behaviour these keys cannot carry (whitespace as suffix, no whitespace escaping, a denormalizer,
/// a custom unknown surface, a WORD or CHAR model) is refused with the reason rather than written half-true.
/// </summary>
public static class TokenizerGgufWriter
{
    /// <summary>Score of the "[PADn]" entries that fill a vocabulary up to the model's embedding rows (llama.cpp's value).</summary>
    public const float PaddingScore = -10000f;

    /// <summary>
    /// The entries for a LLaMA-style tokenizer (its added tokens included). With <paramref name="vocabularySize"/>
    /// larger than the tokenizer, unused "[PADn]" entries fill the ids up to it, as llama.cpp's converter does, so
    /// the token list matches the embedding rows.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, GgufValue>> Entries(LlamaTokenizer tokenizer, int? vocabularySize = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return Build(tokenizer.SentencePiece, tokenizer.BosId, tokenizer.EosId, tokenizer.UnkId, tokenizer.PadId,
            tokenizer.AddBos, tokenizer.AddEos, vocabularySize);
    }

    /// <summary>The entries for a T5-style tokenizer: no bos, eos appended (what Hugging Face's T5Tokenizer does).</summary>
    public static IReadOnlyList<KeyValuePair<string, GgufValue>> Entries(SentencePieceTokenizer tokenizer, int? vocabularySize = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return Build(tokenizer, tokenizer.BosId, tokenizer.EosId, tokenizer.UnkId, tokenizer.PadId,
            addBos: false, addEos: tokenizer.EosId >= 0, vocabularySize);
    }

    public static void AddTo(GgufWriter writer, LlamaTokenizer tokenizer, int? vocabularySize = null) =>
        AddTo(writer, Entries(tokenizer, vocabularySize));

    public static void AddTo(GgufWriter writer, SentencePieceTokenizer tokenizer, int? vocabularySize = null) =>
        AddTo(writer, Entries(tokenizer, vocabularySize));

    public static void AddTo(GgufWriter writer, IEnumerable<KeyValuePair<string, GgufValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries) writer.SetMetadata(key, value);
    }

    private static List<KeyValuePair<string, GgufValue>> Build(SentencePieceTokenizer sp, int bos, int eos, int unk, int pad,
        bool addBos, bool addEos, int? vocabularySize)
    {
        var model = sp.Model;
        string modelName = model.TrainerSpec.ModelType switch
        {
            SentencePieceModelType.Bpe => K.LlamaModel,
            SentencePieceModelType.Unigram => K.T5Model,
            var other => throw Unrepresentable(sp, $"model_type {other} has no llama.cpp tokenizer (only BPE -> \"llama\" and UNIGRAM -> \"t5\")"),
        };
        if (model.TrainerSpec.TreatWhitespaceAsSuffix) throw Unrepresentable(sp, "treat_whitespace_as_suffix is set");
        if (!model.NormalizerSpec.EscapeWhitespaces) throw Unrepresentable(sp, "escape_whitespaces is off");
        if (model.DenormalizerSpec is { PrecompiledCharsmap.Length: > 0 }) throw Unrepresentable(sp, "it has a denormalizer");
        if (model.TrainerSpec.UnkSurface != new TrainerSpec().UnkSurface) throw Unrepresentable(sp, $"its unknown surface is '{model.TrainerSpec.UnkSurface}'");

        int count = sp.VocabSize;
        int total = vocabularySize ?? count;
        if (total < count)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize,
                $"{sp.Source}: the tokenizer has {count} ids but the model's vocabulary only {total}; they do not belong together");

        var tokens = new string[total];
        var scores = new float[total];
        var types = new int[total];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int id = 0; id < total; id++)
        {
            var piece = id < count ? sp.Pieces[id] : new VocabularyPiece(string.Create(CultureInfo.InvariantCulture, $"[PAD{id}]"), PaddingScore, PieceType.Unused);
            if (!names.Add(piece.Piece))
                throw new ArgumentException($"{sp.Source}: padding entry '{piece.Piece}' (id {id}) is already a piece of the vocabulary", nameof(vocabularySize));
            tokens[id] = piece.Piece;
            scores[id] = piece.Score;
            types[id] = (int)piece.Type; // sentencepiece's piece types are llama.cpp's token types, value for value
        }

        var entries = new List<KeyValuePair<string, GgufValue>>
        {
            new(K.Model, modelName),
            new(K.Pre, K.DefaultPre),
            new(K.Tokens, GgufArray.Of(tokens)),
            new(K.Scores, GgufArray.Of(scores)),
            new(K.TokenTypes, GgufArray.Of(types)),
        };
        void Id(string key, int id)
        {
            if (id >= 0) entries.Add(new(key, (uint)id));
        }
        Id(K.BosId, bos);
        Id(K.EosId, eos);
        Id(K.UnknownId, unk);
        Id(K.PaddingId, pad);
        entries.Add(new(K.AddBos, addBos));
        entries.Add(new(K.AddEos, addEos));
        entries.Add(new(K.AddSpacePrefix, model.NormalizerSpec.AddDummyPrefix));
        entries.Add(new(K.RemoveExtraWhitespaces, model.NormalizerSpec.RemoveExtraWhitespaces));
        if (model.NormalizerSpec.PrecompiledCharsmap.Length > 0)
            entries.Add(new(K.PrecompiledCharsmap, GgufArray.Of(model.NormalizerSpec.PrecompiledCharsmap)));
        return entries;
    }

    private static TokenizerFormatException Unrepresentable(SentencePieceTokenizer sp, string why) =>
        new(sp.Source, $"this tokenizer cannot be stored as llama.cpp tokenizer metadata: {why}");
}
