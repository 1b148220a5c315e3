using System.Text.Json;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.HuggingFace;

/// <summary>
/// Translates a Hugging Face <c>tokenizer.json</c> with a <c>Unigram</c> model (the form T5 / MusicGen checkpoints
/// ship) into the equivalent sentencepiece model, so that it encodes exactly like the original <c>.model</c>.
/// <list type="bullet">
/// <item><c>model</c>: <c>{"type": "Unigram", "vocab": [[piece, score], ...], "unk_id", "byte_fallback"?}</c>.
/// <c>unk_id</c> becomes the UNKNOWN piece; <c>added_tokens</c> with <c>special: true</c> become CONTROL pieces and
/// other added tokens USER_DEFINED pieces (added tokens beyond the vocab are appended in id order); with byte_fallback,
/// <c>&lt;0xNN&gt;</c> pieces become BYTE pieces.</item>
/// <item><c>normalizer</c> and <c>pre_tokenizer</c>: see <see cref="TokenizerJsonWhitespace"/> for the supported
/// steps; any other step is refused with its name.</item>
/// <item><c>decoder</c> and <c>post_processor</c> are not read: decoding follows sentencepiece, and bos/eos are the
/// caller's business (see <see cref="T5TextEncoding"/>).</item>
/// </list>
/// Known differences from the Hugging Face fast tokenizer: special tokens written in the text are not split out
/// (sentencepiece semantics), the charsmap is applied with sentencepiece's byte-level longest match (HF tries whole
/// grapheme clusters first), and Viterbi runs over the whole text rather than per Metaspace-split word. For T5-style
/// vocabularies these give the ids of the original sentencepiece model.
/// </summary>
public static class TokenizerJsonReader
{
    public static SentencePieceModelProto Parse(ReadOnlySpan<byte> json, string source)
    {
        // the JSON reader checks UTF-8 only when a string is read out; checked here, every string is valid
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            System.Text.Unicode.Utf8.ToUtf16(json, new char[json.Length], out int valid, out _, replaceInvalidSequences: false);
            throw new TokenizerFormatException(source, $"not valid UTF-8 (invalid byte 0x{json[valid]:X2} at offset {valid})");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(source, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(source, "tokenizer.json must be a JSON object");
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(source, "tokenizer.json has no \"model\" object");

            string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
            if (type != "Unigram")
                throw new TokenizerFormatException(source,
                    $"model.type is \"{type}\"; only \"Unigram\" tokenizer.json files are supported (use the sentencepiece .model for BPE)");

            bool byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
            var pieces = ReadVocab(model, source);
            int unkId = ReadUnkId(model, pieces.Count, source);
            ApplyAddedTokens(root, pieces, source);

            for (int id = 0; id < pieces.Count; id++)
            {
                var p = pieces[id];
                if (id == unkId) pieces[id] = p with { Type = PieceType.Unknown };
                else if (byteFallback && p.Type == PieceType.Normal && IsBytePieceName(p.Piece)) pieces[id] = p with { Type = PieceType.Byte };
            }

            var normalizer = TokenizerJsonWhitespace.Translate(root, source);
            var trainer = new TrainerSpec
            {
                ModelType = SentencePieceModelType.Unigram,
                VocabSize = pieces.Count,
                ByteFallback = byteFallback,
                UnkId = unkId,
                UnkPiece = pieces[unkId].Piece,
            };
            return new SentencePieceModelProto(pieces, trainer, normalizer, DenormalizerSpec: null);
        }
    }

    private static List<VocabularyPiece> ReadVocab(JsonElement model, string source)
    {
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array)
            throw new TokenizerFormatException(source, "model.vocab must be an array of [piece, score] pairs");
        var pieces = new List<VocabularyPiece>(vocab.GetArrayLength());
        foreach (var entry in vocab.EnumerateArray())
        {
            int id = pieces.Count;
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2
                || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number)
                throw new TokenizerFormatException(source, $"model.vocab[{id}] is not a [string, number] pair: {entry.GetRawText()}");
            string piece = entry[0].GetString()!;
            if (piece.Length == 0)
                throw new TokenizerFormatException(source, $"model.vocab[{id}] is an empty piece");
            pieces.Add(new VocabularyPiece(piece, (float)entry[1].GetDouble(), PieceType.Normal));
        }
        if (pieces.Count == 0)
            throw new TokenizerFormatException(source, "model.vocab is empty");
        return pieces;
    }

    private static int ReadUnkId(JsonElement model, int vocabSize, string source)
    {
        if (!model.TryGetProperty("unk_id", out var unk) || unk.ValueKind != JsonValueKind.Number || !unk.TryGetInt32(out int unkId))
            throw new TokenizerFormatException(source, "model.unk_id is missing or null; a sentencepiece vocabulary needs an unknown piece");
        if (unkId < 0 || unkId >= vocabSize)
            throw new TokenizerFormatException(source, $"model.unk_id {unkId} is outside the vocabulary (0..{vocabSize - 1})");
        return unkId;
    }

    private static void ApplyAddedTokens(JsonElement root, List<VocabularyPiece> pieces, string source)
    {
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null) return;
        if (added.ValueKind != JsonValueKind.Array)
            throw new TokenizerFormatException(source, "added_tokens must be an array");

        var extra = new SortedDictionary<int, VocabularyPiece>();
        int baseCount = pieces.Count;
        foreach (var token in added.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Object
                || !token.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt32(out int id)
                || !token.TryGetProperty("content", out var contentElement) || contentElement.ValueKind != JsonValueKind.String)
                throw new TokenizerFormatException(source, $"added_tokens entry {token.GetRawText()} needs an integer \"id\" and a string \"content\"");
            string content = contentElement.GetString()!;
            bool special = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
            var type = special ? PieceType.Control : PieceType.UserDefined;
            if (id < 0)
                throw new TokenizerFormatException(source, $"added token '{content}' has negative id {id}");
            if (id < baseCount)
            {
                if (pieces[id].Piece != content)
                    throw new TokenizerFormatException(source, $"added token id {id} is '{content}' but model.vocab[{id}] is '{pieces[id].Piece}'");
                pieces[id] = pieces[id] with { Type = type };
            }
            else if (!extra.TryAdd(id, new VocabularyPiece(content, 0f, type)))
                throw new TokenizerFormatException(source, $"added token id {id} appears twice");
        }
        foreach (var (id, piece) in extra)
        {
            if (id != pieces.Count)
                throw new TokenizerFormatException(source, $"added token '{piece.Piece}' has id {id} but the next free id is {pieces.Count}; ids must be contiguous");
            pieces.Add(piece);
        }
    }

    private static bool IsBytePieceName(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
        && Uri.IsHexDigit(piece[3]) && Uri.IsHexDigit(piece[4]);
}
