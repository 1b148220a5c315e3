using MusicGen.Assistant.Native.Files;
using MusicGen.Assistant.Text.HuggingFace;
using MusicGen.Assistant.Text.Normalization;
using MusicGen.Assistant.Text.Segmentation;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text;

/// <summary>
/// A SentencePiece tokenizer that reproduces sentencepiece 0.1.97 (<c>sp.encode(text)</c> / <c>sp.decode(ids)</c>)
/// for unigram and BPE models, loaded from a sentencepiece <c>.model</c> file or from a Hugging Face unigram
/// <c>tokenizer.json</c>. Text is taken literally: control pieces such as <c>&lt;s&gt;</c> or <c>&lt;/s&gt;</c>
/// written in the text are not recognised (raw sentencepiece behaviour), and no bos/eos is added.
/// Instances are immutable and safe to use from several threads.
/// </summary>
public sealed class SentencePieceTokenizer
{
    private readonly Vocabulary _vocab;
    private readonly SentencePieceNormalizer _normalizer;
    private readonly ISegmenter _segmenter;
    private readonly PieceDecoder _decoder;

    private SentencePieceTokenizer(SentencePieceModelProto model, string source)
    {
        Model = model;
        Source = source;
        _vocab = new Vocabulary(model, source);
        _segmenter = model.TrainerSpec.ModelType switch
        {
            SentencePieceModelType.Unigram => new UnigramSegmenter(_vocab, source),
            SentencePieceModelType.Bpe => new BpeSegmenter(_vocab),
            var other => throw new TokenizerFormatException(source,
                $"model_type {other} is not supported (only UNIGRAM and BPE models are)"),
        };
        _normalizer = new SentencePieceNormalizer(model.NormalizerSpec, model.TrainerSpec.TreatWhitespaceAsSuffix, _vocab.UserDefinedPieces, source);
        _decoder = new PieceDecoder(_vocab, model, source);

        var spec = model.TrainerSpec;
        UnkId = SpecialId(spec.UnkPiece, PieceType.Unknown);
        BosId = SpecialId(spec.BosPiece, PieceType.Control);
        EosId = SpecialId(spec.EosPiece, PieceType.Control);
        PadId = SpecialId(spec.PadPiece, PieceType.Control);
    }

    /// <summary>File names tried, in order, when <see cref="Load"/> is given a checkpoint folder.</summary>
    public static IReadOnlyList<string> FolderCandidates { get; } = ["spiece.model", "tokenizer.model", "tokenizer.json"];

    /// <summary>
    /// Loads a sentencepiece <c>.model</c> (binary protobuf) or a Hugging Face <c>tokenizer.json</c>; the format is
    /// recognised from the content (JSON starts with '{'), not from the file name. Given a folder (a Hugging Face
    /// checkpoint), loads the first of <see cref="FolderCandidates"/> found there, preferring the sentencepiece model.
    /// </summary>
    public static SentencePieceTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            string? file = FolderCandidates.Select(name => Path.Combine(path, name)).FirstOrDefault(File.Exists);
            path = file ?? throw new FileNotFoundException(
                $"{path}: no tokenizer file in this folder (looked for {string.Join(", ", FolderCandidates)})", path);
        }
        byte[] data = File.ReadAllBytes(InputFile.RequireRegular(path, "tokenizer file"));
        var model = LooksLikeJson(data)
            ? TokenizerJsonReader.Parse(data, path)
            : ModelProtoParser.Parse(data, path);
        return new SentencePieceTokenizer(model, path);
    }

    /// <summary>Builds a tokenizer from an already parsed (or hand-built) model.</summary>
    public static SentencePieceTokenizer FromModel(SentencePieceModelProto model, string source = "<in-memory model>")
    {
        ArgumentNullException.ThrowIfNull(model);
        return new SentencePieceTokenizer(model, source);
    }

    /// <summary>The model data this tokenizer was built from.</summary>
    public SentencePieceModelProto Model { get; }

    /// <summary>Where the model came from (file path), used in error messages.</summary>
    public string Source { get; }

    public SentencePieceModelType ModelType => Model.TrainerSpec.ModelType;
    public int VocabSize => _vocab.Count;
    public IReadOnlyList<VocabularyPiece> Pieces => _vocab.Pieces;

    /// <summary>Id of the unknown piece (sentencepiece <c>unk_id()</c>); -1 if the named piece is not UNKNOWN.</summary>
    public int UnkId { get; }

    /// <summary>Id of the bos piece if it exists as a CONTROL piece, else -1 (as sentencepiece <c>bos_id()</c>).</summary>
    public int BosId { get; }

    public int EosId { get; }
    public int PadId { get; }

    public string IdToPiece(int id)
    {
        CheckId(id);
        return _vocab.Piece(id);
    }

    /// <summary>The id of a piece; pieces not in the vocabulary map to <see cref="UnkId"/> as in sentencepiece.</summary>
    public int PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        return _vocab.PieceToId(piece);
    }

    public PieceType GetPieceType(int id)
    {
        CheckId(id);
        return _vocab.Type(id);
    }

    /// <summary>The text the segmenter sees: charsmap applied, whitespace folded, spaces as U+2581.</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _normalizer.Normalize(text);
    }

    /// <summary>Token ids of <paramref name="text"/> (no bos/eos).</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        EncodeInto(text, ids, pieces: null);
        return ids.ToArray();
    }

    /// <summary>
    /// The pieces of <paramref name="text"/>: vocabulary pieces, the covered text for unknown pieces (runs merged),
    /// and <c>&lt;0xNN&gt;</c> for byte-fallback pieces.
    /// </summary>
    public string[] EncodePieces(string text)
    {
        var pieces = new List<string>();
        EncodeInto(text, ids: null, pieces);
        return pieces.ToArray();
    }

    /// <summary>Text of a sequence of ids; throws <see cref="ArgumentOutOfRangeException"/> for an id outside the vocabulary.</summary>
    public string Decode(IEnumerable<int> ids) => _decoder.Decode(ids);

    /// <summary>
    /// Text of a sequence of piece strings, as sentencepiece's <c>decode(pieces)</c>: each string is looked up, and one
    /// that is not in the vocabulary is copied through as it is (Hugging Face's slow tokenizers decode this way).
    /// </summary>
    public string DecodePieces(IEnumerable<string> pieces) => _decoder.DecodePieces(pieces);

    /// <summary>
    /// Segments <paramref name="text"/> into ids and/or pieces, appended to the given lists. A run of unknown characters
    /// (without byte fallback) stays one unknown piece; its text is cut once when the run ends, so the work stays
    /// linear in the text length.
    /// </summary>
    internal void EncodeInto(string text, List<int>? ids, List<string>? pieces)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = _normalizer.Normalize(text);
        var segments = new List<Segment>(normalized.Length);
        _segmenter.Segment(normalized, segments);

        int runStart = -1, runEnd = 0;
        void CloseRun()
        {
            if (runStart >= 0 && pieces is not null) pieces[^1] = normalized[runStart..runEnd];
            runStart = -1;
        }

        foreach (var segment in segments)
        {
            bool unknown = _vocab.IsUnknown(segment.Id);
            if (unknown && _vocab.ByteFallback)
            {
                CloseRun();
                // Unknown text is spelled out as its UTF-8 bytes.
                foreach (byte b in System.Text.Encoding.UTF8.GetBytes(normalized, segment.Start, segment.Length))
                {
                    int byteId = _vocab.ByteFallbackIds[b];
                    ids?.Add(byteId);
                    pieces?.Add(Vocabulary.BytePieceName(b));
                }
            }
            else if (unknown && runStart >= 0)
            {
                runEnd = segment.Start + segment.Length;
            }
            else
            {
                CloseRun();
                ids?.Add(segment.Id);
                pieces?.Add(unknown ? "" : _vocab.Piece(segment.Id));
                if (unknown) (runStart, runEnd) = (segment.Start, segment.Start + segment.Length);
            }
        }
        CloseRun();
    }

    private int SpecialId(string piece, PieceType required)
    {
        int id = _vocab.PieceToId(piece);
        return _vocab.Type(id) == required ? id : -1;
    }

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_vocab.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary (0..{_vocab.Count - 1}) of {Source}");
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) data = data[3..];
        foreach (byte b in data)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b == (byte)'{';
        }
        return false;
    }
}
