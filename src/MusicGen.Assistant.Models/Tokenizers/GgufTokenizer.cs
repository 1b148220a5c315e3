using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Text.SentencePiece;
using K = MusicGen.Assistant.Models.Tokenizers.TokenizerKeys;

namespace MusicGen.Assistant.Models.Tokenizers;

/// <summary>
/// Rebuilds a tokenizer from llama.cpp's <c>tokenizer.ggml.*</c> metadata (see <see cref="TokenizerKeys"/>), written by
/// <see cref="TokenizerGgufWriter"/> or by llama.cpp's converters: "llama" becomes a SentencePiece BPE model, "t5" a
/// unigram one; byte fallback is on exactly when BYTE tokens are present (llama.cpp's rule). Every key is checked
/// against the token list before use: a missing score array, arrays of different lengths, an unknown model name or
/// token type, an empty token, an id outside the vocabulary each fail with a <see cref="GgufFormatException"/> naming
/// the file and the key. (The GGUF reader has already bounded every array by the file size.)
/// </summary>
public static class GgufTokenizer
{
    /// <summary>What the metadata describes: the sentencepiece model (added tokens included) and the special tokens.</summary>
    public sealed record Contents(string ModelName, SentencePieceModelProto Model, LlamaTokenizerOptions Options);

    /// <summary>True when the metadata carries a tokenizer (llama.cpp looks for <see cref="TokenizerKeys.Model"/>).</summary>
    public static bool IsPresent(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.ContainsKey(K.Model);
    }

    /// <summary>The raw SentencePiece tokenizer (no added-token splitting, no bos/eos), e.g. for T5's input encoding.</summary>
    public static SentencePieceTokenizer LoadSentencePiece(GgufMetadata metadata)
    {
        var contents = Read(metadata);
        return Build(metadata, () => SentencePieceTokenizer.FromModel(contents.Model, SourceOf(metadata)));
    }

    /// <summary>The LLaMA tokenizer with Hugging Face's added-token handling and the file's bos/eos settings.</summary>
    public static LlamaTokenizer LoadLlama(GgufMetadata metadata)
    {
        var contents = Read(metadata);
        return Build(metadata, () => LlamaTokenizer.FromModel(contents.Model, SourceOf(metadata), addedTokens: null, contents.Options));
    }

    public static Contents Read(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string model = metadata.GetString(K.Model);
        bool llama = model == K.LlamaModel;
        if (!llama && model != K.T5Model)
            throw Error(metadata, K.Model, $"is \"{model}\"; supported are \"{K.LlamaModel}\" (SentencePiece BPE) and \"{K.T5Model}\" (SentencePiece unigram)");

        var tokens = metadata.GetStringArray(K.Tokens);
        int n = tokens.Count;
        if (n == 0) throw Error(metadata, K.Tokens, "is empty");
        float[] scores = ReadScores(metadata, n);
        int[] types = ReadTypes(metadata, n);

        var pieces = new VocabularyPiece[n];
        for (int id = 0; id < n; id++)
        {
            if (tokens[id].Length == 0) throw Error(metadata, K.Tokens, $"entry {id} is an empty string");
            pieces[id] = new VocabularyPiece(tokens[id], scores[id], (PieceType)types[id]);
        }

        int bos = ReadId(metadata, K.BosId, llama ? 1 : -1, n);
        int eos = ReadId(metadata, K.EosId, llama ? 2 : 1, n);
        int pad = ReadId(metadata, K.PaddingId, llama ? -1 : 0, n);
        int unk = ResolveUnknown(metadata, pieces, ReadId(metadata, K.UnknownId, llama ? 0 : 2, n));
        bool addBos = ReadBool(metadata, K.AddBos, llama);
        bool addEos = ReadBool(metadata, K.AddEos, !llama);

        string Name(int id) => id >= 0 ? tokens[id] : ""; // "" is never a piece, so an absent special stays absent
        var trainer = new TrainerSpec
        {
            ModelType = llama ? SentencePieceModelType.Bpe : SentencePieceModelType.Unigram,
            VocabSize = n,
            ByteFallback = types.Contains((int)PieceType.Byte),
            UnkId = unk, BosId = bos, EosId = eos, PadId = pad,
            UnkPiece = Name(unk), BosPiece = Name(bos), EosPiece = Name(eos), PadPiece = Name(pad),
        };
        var normalizer = new NormalizerSpec
        {
            Name = "gguf",
            PrecompiledCharsmap = ReadCharsmap(metadata),
            AddDummyPrefix = ReadBool(metadata, K.AddSpacePrefix, llama),
            RemoveExtraWhitespaces = ReadBool(metadata, K.RemoveExtraWhitespaces, false),
            EscapeWhitespaces = true,
        };
        var options = new LlamaTokenizerOptions { BosId = bos, EosId = eos, UnkId = unk, PadId = pad, AddBos = addBos, AddEos = addEos };
        return new Contents(model, new SentencePieceModelProto(pieces, trainer, normalizer, DenormalizerSpec: null), options);
    }

    private static float[] ReadScores(GgufMetadata metadata, int n)
    {
        if (!metadata.ContainsKey(K.Scores))
            throw Error(metadata, K.Scores, $"is missing; a SentencePiece vocabulary needs one score per token ({n})");
        var array = metadata.GetArray(K.Scores);
        CheckLength(metadata, K.Scores, array.Count, n);
        return array.ElementType switch
        {
            GgufValueType.FLOAT32 => array.AsSpan<float>().ToArray(),
            GgufValueType.INT32 => array.AsSpan<int>().ToArray().Select(s => (float)s).ToArray(),
            var other => throw Error(metadata, K.Scores, $"is an array of {other}; expected FLOAT32 (or INT32)"),
        };
    }

    private static int[] ReadTypes(GgufMetadata metadata, int n)
    {
        if (!metadata.ContainsKey(K.TokenTypes))
            throw Error(metadata, K.TokenTypes, $"is missing; a SentencePiece vocabulary needs one type per token ({n})");
        var array = metadata.GetArray(K.TokenTypes, GgufValueType.INT32);
        CheckLength(metadata, K.TokenTypes, array.Count, n);
        int[] types = array.AsSpan<int>().ToArray();
        for (int id = 0; id < n; id++)
            if (types[id] is < (int)K.TokenType.Normal or > (int)K.TokenType.Byte)
                throw Error(metadata, K.TokenTypes, $"entry {id} is {types[id]}; expected 1..6 (normal, unknown, control, user-defined, unused, byte)");
        return types;
    }

    private static void CheckLength(GgufMetadata metadata, string key, int count, int n)
    {
        if (count != n) throw Error(metadata, key, $"has {count} entries but {K.Tokens} has {n}; there must be one per token");
    }

    /// <summary>An id key as llama.cpp reads it (UINT32; other integer types accepted); absent: the model's default.</summary>
    private static int ReadId(GgufMetadata metadata, string key, int fallback, int n)
    {
        if (!metadata.TryGet(key, out var value)) return fallback < n ? fallback : -1; // llama.cpp disables an out-of-range default
        long id = value.Type switch
        {
            GgufValueType.UINT32 => value.AsUInt32(),
            GgufValueType.INT32 => value.AsInt32(),
            GgufValueType.UINT64 => value.AsUInt64() > long.MaxValue ? long.MaxValue : (long)value.AsUInt64(),
            GgufValueType.INT64 => value.AsInt64(),
            GgufValueType.UINT16 => value.AsUInt16(),
            GgufValueType.INT16 => value.AsInt16(),
            GgufValueType.UINT8 => value.AsUInt8(),
            GgufValueType.INT8 => value.AsInt8(),
            var other => throw Error(metadata, key, $"has type {other}; expected UINT32"),
        };
        if (id < 0 || id >= n) throw Error(metadata, key, $"is {id}, outside the vocabulary of {n} tokens");
        return (int)id;
    }

    private static bool ReadBool(GgufMetadata metadata, string key, bool fallback) =>
        metadata.ContainsKey(key) ? metadata.GetBool(key) : fallback;

    private static byte[] ReadCharsmap(GgufMetadata metadata)
    {
        if (!metadata.ContainsKey(K.PrecompiledCharsmap)) return [];
        var array = metadata.GetArray(K.PrecompiledCharsmap);
        return array.ElementType switch
        {
            GgufValueType.UINT8 => array.AsSpan<byte>().ToArray(),
            GgufValueType.INT8 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan<sbyte>()).ToArray(),
            var other => throw Error(metadata, K.PrecompiledCharsmap, $"is an array of {other}; expected UINT8"),
        };
    }

    /// <summary>
    /// The unknown token: the UNKNOWN-typed entry, which the unk id key must name when present. llama.cpp's converter
    /// types &lt;unk&gt; CONTROL when tokenizer_config.json lists it as special; such a file's unk id is trusted instead.
    /// </summary>
    private static int ResolveUnknown(GgufMetadata metadata, VocabularyPiece[] pieces, int unk)
    {
        int typed = Array.FindIndex(pieces, p => p.Type == PieceType.Unknown);
        if (typed >= 0)
        {
            if (metadata.ContainsKey(K.UnknownId) && unk != typed)
                throw Error(metadata, K.UnknownId, $"is {unk} ('{pieces[unk].Piece}') but the UNKNOWN token is {typed} ('{pieces[typed].Piece}')");
            return typed;
        }
        if (unk < 0 || pieces[unk].Type != PieceType.Control)
            throw Error(metadata, K.TokenTypes, $"no token has type 2 (unknown) and {K.UnknownId} does not name a control token to use instead; SentencePiece needs an unknown token");
        pieces[unk] = pieces[unk] with { Type = PieceType.Unknown };
        return unk;
    }

    private static T Build<T>(GgufMetadata metadata, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (TokenizerFormatException e)
        {
            throw new GgufFormatException(metadata.SourcePath, $"metadata keys '{K.Tokens}' / '{K.TokenTypes}'", e.Problem, e);
        }
    }

    private static string SourceOf(GgufMetadata metadata) => $"{metadata.SourcePath} (tokenizer.ggml.*)";

    private static GgufFormatException Error(GgufMetadata metadata, string key, string problem) =>
        new(metadata.SourcePath, $"metadata key '{key}'", problem);
}
