using MusicGen.Assistant.Text.HuggingFace;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text;

/// <summary>
/// The LLaMA tokenizer as M2UGen runs it: transformers 4.40's slow <c>LlamaTokenizer</c> with legacy = True over a
/// sentencepiece model (BPE with byte fallback for LLaMA), plus added tokens such as [AUD0]..[AUD7].
/// <para>
/// Encoding (<c>PreTrainedTokenizer.tokenize</c>, then <c>LlamaTokenizer._tokenize</c> with legacy): the text is first
/// split on the added tokens (see <see cref="AddedTokenSplitter"/>: earliest start, then longest); the special tokens
/// &lt;s&gt;, &lt;/s&gt; and &lt;unk&gt; are added tokens too, so "&lt;s&gt;" written in the text becomes the bos id.
/// Nothing is stripped around a token. Each remaining non-empty chunk goes through <c>sp_model.encode</c> on its own,
/// so each gets its own dummy prefix: "x [AUD0] [AUD1] y" gives ▁ x ▁ | [AUD0] | ▁▁ | [AUD1] | ▁▁ y (the chunk " "
/// becomes "▁▁", and " y" becomes "▁▁" "y"), exactly as the m2ugen-tiny tokenizer cases record.
/// With special tokens, bos is prepended (and eos appended when <see cref="AddEos"/>).
/// </para>
/// <para>
/// Which vocabulary entries are matched before sentencepiece: USER_DEFINED pieces (added tokens, the meaning
/// llama.cpp gives that type in GGUF), CONTROL pieces and the UNKNOWN piece (special tokens), and the bos / eos /
/// unk / pad ids. Decoding follows <see cref="LegacyLlamaDecoding"/>. Instances are immutable and thread-safe.
/// </para>
/// </summary>
public sealed class LlamaTokenizer
{
    /// <summary>Score given to appended added tokens (llama.cpp's converter uses the same for added tokens).</summary>
    public const float AddedTokenScore = -1000f;

    private readonly AddedTokenSplitter _splitter;
    private readonly HashSet<int> _specialIds = [];
    private readonly HashSet<string> _specialTokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _addedTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tokenIds = new(StringComparer.Ordinal);

    private LlamaTokenizer(SentencePieceTokenizer sentencePiece, LlamaTokenizerOptions options)
    {
        SentencePiece = sentencePiece;
        int Choose(int? given, int fromModel, string name)
        {
            int id = given ?? fromModel;
            if (id < -1 || id >= sentencePiece.VocabSize)
                throw new TokenizerFormatException(sentencePiece.Source, $"the {name} id {id} is outside the vocabulary (0..{sentencePiece.VocabSize - 1})");
            return id;
        }
        BosId = Choose(options.BosId, sentencePiece.BosId, "bos");
        EosId = Choose(options.EosId, sentencePiece.EosId, "eos");
        UnkId = Choose(options.UnkId, sentencePiece.UnkId, "unk");
        PadId = Choose(options.PadId, sentencePiece.PadId, "pad");
        AddBos = options.AddBos;
        AddEos = options.AddEos;
        if (AddBos && BosId < 0) throw new TokenizerFormatException(sentencePiece.Source, "add_bos is set but the vocabulary has no bos token");
        if (AddEos && EosId < 0) throw new TokenizerFormatException(sentencePiece.Source, "add_eos is set but the vocabulary has no eos token");

        var split = new List<(string, int)>();
        var added = new List<int>();
        for (int id = 0; id < sentencePiece.VocabSize; id++)
        {
            var piece = sentencePiece.Pieces[id];
            bool special = piece.Type is PieceType.Control or PieceType.Unknown || id == BosId || id == EosId || id == UnkId || id == PadId;
            if (special)
            {
                _specialIds.Add(id);
                _specialTokens.Add(piece.Piece);
            }
            else if (piece.Type == PieceType.UserDefined)
            {
                _addedTokens.Add(piece.Piece);
                added.Add(id);
            }
            else continue;
            split.Add((piece.Piece, id));
            _tokenIds[piece.Piece] = id;
        }
        _splitter = new AddedTokenSplitter(split);
        AddedTokenIds = added;
        NewlineId = FindNewline(sentencePiece);
    }

    /// <summary>
    /// Loads a sentencepiece <c>.model</c> (or the <c>tokenizer.model</c> of a folder) and appends
    /// <paramref name="addedTokens"/> as Hugging Face's <c>add_tokens</c> does (ids = base vocabulary + 0, 1, ...).
    /// </summary>
    public static LlamaTokenizer Load(string path, IEnumerable<string>? addedTokens = null, LlamaTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            string file = Path.Combine(path, "tokenizer.model");
            path = File.Exists(file) ? file : throw new FileNotFoundException($"{path}: no tokenizer.model in this folder", file);
        }
        return FromModel(SentencePieceModelProto.ReadFile(path), path, addedTokens, options);
    }

    /// <summary>
    /// Builds the tokenizer from a parsed model. Each added token that is not yet a piece is appended as a
    /// USER_DEFINED piece; one that already is a NORMAL or UNUSED piece keeps its id and becomes USER_DEFINED
    /// (Hugging Face reuses the id of a token already in the vocabulary and splits it out all the same).
    /// </summary>
    public static LlamaTokenizer FromModel(SentencePieceModelProto model, string source = "<in-memory model>",
        IEnumerable<string>? addedTokens = null, LlamaTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var withAdded = addedTokens is null ? model : WithAddedTokens(model, addedTokens, source);
        return new LlamaTokenizer(SentencePieceTokenizer.FromModel(withAdded, source), options ?? new LlamaTokenizerOptions());
    }

    /// <summary>Wraps an already built sentencepiece tokenizer whose vocabulary holds the added tokens as USER_DEFINED pieces.</summary>
    public static LlamaTokenizer FromSentencePiece(SentencePieceTokenizer sentencePiece, LlamaTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sentencePiece);
        return new LlamaTokenizer(sentencePiece, options ?? new LlamaTokenizerOptions());
    }

    /// <summary>The sentencepiece model underneath, with the added tokens in its vocabulary.</summary>
    public SentencePieceTokenizer SentencePiece { get; }

    public string Source => SentencePiece.Source;

    /// <summary>Number of ids, added tokens included (M2UGen: 32000 + 8).</summary>
    public int VocabSize => SentencePiece.VocabSize;

    public int BosId { get; }
    public int EosId { get; }
    public int UnkId { get; }

    /// <summary>Pad id, -1 when the vocabulary has none (LLaMA has none).</summary>
    public int PadId { get; }

    public bool AddBos { get; }
    public bool AddEos { get; }

    /// <summary>Ids of the non-special added tokens (USER_DEFINED pieces), in id order.</summary>
    public IReadOnlyList<int> AddedTokenIds { get; }

    /// <summary>
    /// The id of "\n": the byte piece &lt;0x0A&gt; in a byte-fallback vocabulary, else a "\n" piece, else -1 (as
    /// llama.cpp's <c>byte_to_token('\n')</c> finds it). M2UGen cuts its reply at the first such token.
    /// </summary>
    public int NewlineId { get; }

    /// <summary>The id of an added or special token, or of a vocabulary piece; null when there is none.</summary>
    public int? FindToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_tokenIds.TryGetValue(token, out int id)) return id;
        id = SentencePiece.PieceToId(token);
        return id == SentencePiece.UnkId && token != SentencePiece.IdToPiece(id) ? null : id;
    }

    /// <summary>The token string of an id: the added token's text or the sentencepiece piece.</summary>
    public string IdToToken(int id) => SentencePiece.IdToPiece(id);

    /// <summary>Token ids of <paramref name="text"/>, with bos / eos as configured when <paramref name="addSpecialTokens"/>.</summary>
    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        var ids = new List<int>();
        if (addSpecialTokens && AddBos) ids.Add(BosId);
        EncodeInto(text, ids, pieces: null);
        if (addSpecialTokens && AddEos) ids.Add(EosId);
        return ids.ToArray();
    }

    /// <summary>The tokens of <paramref name="text"/> as Hugging Face's <c>tokenize</c> lists them (no bos / eos).</summary>
    public string[] Tokenize(string text)
    {
        var pieces = new List<string>();
        EncodeInto(text, ids: null, pieces);
        return pieces.ToArray();
    }

    /// <summary>Hugging Face's <c>decode(ids, skip_special_tokens)</c>; added tokens come out joined with spaces.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        int position = 0;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} at position {position} is outside the vocabulary (0..{VocabSize - 1}) of {Source}");
            position++;
            if (skipSpecialTokens && _specialIds.Contains(id)) continue;
            tokens.Add(SentencePiece.IdToPiece(id));
        }
        return LegacyLlamaDecoding.Decode(tokens, _addedTokens.Contains, _specialTokens.Contains, SentencePiece.DecodePieces);
    }

    /// <summary>
    /// The reply text of generated ids as M2UGen returns it: the ids up to (not including) the first newline token,
    /// decoded. All ids are decoded when the vocabulary has no newline token or none was generated.
    /// </summary>
    public string DecodeUntilNewline(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Decode(NewlineId < 0 ? ids : ids.TakeWhile(id => id != NewlineId), skipSpecialTokens);
    }

    private void EncodeInto(string text, List<int>? ids, List<string>? pieces)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var chunk in _splitter.Split(text))
        {
            if (chunk.IsToken)
            {
                ids?.Add(chunk.TokenId);
                pieces?.Add(SentencePiece.IdToPiece(chunk.TokenId));
            }
            else
            {
                SentencePiece.EncodeInto(text.Substring(chunk.Start, chunk.Length), ids, pieces);
            }
        }
    }

    private static SentencePieceModelProto WithAddedTokens(SentencePieceModelProto model, IEnumerable<string> addedTokens, string source)
    {
        var pieces = model.Pieces.ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < pieces.Count; id++) index.TryAdd(pieces[id].Piece, id);
        foreach (string token in addedTokens)
        {
            if (string.IsNullOrEmpty(token)) throw new TokenizerFormatException(source, "an added token is empty");
            if (!index.TryGetValue(token, out int id))
            {
                index[token] = pieces.Count;
                pieces.Add(new VocabularyPiece(token, AddedTokenScore, PieceType.UserDefined));
                continue;
            }
            var existing = pieces[id];
            if (existing.Type == PieceType.Byte)
                throw new TokenizerFormatException(source, $"added token '{token}' is the byte piece {id}; byte pieces cannot be added tokens");
            if (existing.Type is PieceType.Normal or PieceType.Unused) pieces[id] = existing with { Type = PieceType.UserDefined };
        }
        return model with { Pieces = pieces, TrainerSpec = model.TrainerSpec with { VocabSize = pieces.Count } };
    }

    private static int FindNewline(SentencePieceTokenizer sp)
    {
        foreach (string name in new[] { "<0x0A>", "\n" })
        {
            int id = sp.PieceToId(name);
            if (id != sp.UnkId || sp.IdToPiece(id) == name) return id;
        }
        return -1;
    }
}
