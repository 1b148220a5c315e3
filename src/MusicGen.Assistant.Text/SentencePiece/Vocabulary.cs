using System.Text;

namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// Validated vocabulary with sentencepiece's lookup rules (ModelInterface::InitializePieces / PieceToId):
/// NORMAL, USER_DEFINED and UNUSED pieces are matchable text; UNKNOWN, CONTROL and BYTE pieces are reserved and
/// only reachable by id or exact name; unknown names map to the unk id.
/// </summary>
internal sealed class Vocabulary
{
    private readonly VocabularyPiece[] _pieces;
    private readonly Dictionary<string, int> _matchable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _matchableSpan;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _reservedSpan;
    private readonly int[] _byteValue;

    public Vocabulary(SentencePieceModelProto model, string source)
    {
        _pieces = model.Pieces.ToArray();
        _byteValue = new int[_pieces.Length];
        ByteLengths = new int[_pieces.Length];
        bool byteFallback = model.TrainerSpec.ByteFallback;
        var bytesSeen = new bool[256];
        int unk = -1;
        var userDefined = new List<string>();

        for (int id = 0; id < _pieces.Length; id++)
        {
            var (piece, _, type) = _pieces[id];
            if (string.IsNullOrEmpty(piece))
                throw new TokenizerFormatException(source, $"piece {id} is empty; sentencepiece pieces must not be empty");
            ByteLengths[id] = Encoding.UTF8.GetByteCount(piece);
            _byteValue[id] = -1;
            bool matchable = type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused;
            var map = matchable ? _matchable : _reserved;
            if (!map.TryAdd(piece, id))
                throw new TokenizerFormatException(source, $"piece '{piece}' is defined twice (ids {map[piece]} and {id})");
            switch (type)
            {
                case PieceType.UserDefined:
                    userDefined.Add(piece);
                    break;
                case PieceType.Unknown:
                    if (unk >= 0)
                        throw new TokenizerFormatException(source, $"more than one UNKNOWN piece (ids {unk} and {id})");
                    unk = id;
                    break;
                case PieceType.Byte:
                    if (!byteFallback)
                        throw new TokenizerFormatException(source, $"byte piece '{piece}' (id {id}) is present although byte_fallback is false");
                    int value = ParseBytePiece(piece);
                    if (value < 0)
                        throw new TokenizerFormatException(source, $"byte piece '{piece}' (id {id}) is not of the form <0xNN> with upper-case hex");
                    _byteValue[id] = value;
                    bytesSeen[value] = true;
                    break;
            }
        }

        if (unk < 0)
            throw new TokenizerFormatException(source, "the vocabulary has no UNKNOWN piece; sentencepiece requires exactly one");
        if (byteFallback && Array.IndexOf(bytesSeen, false) is int missing and >= 0)
            throw new TokenizerFormatException(source, $"byte_fallback is true but there is no piece for byte <0x{missing:X2}>; all 256 are required");

        UnkId = unk;
        ByteFallback = byteFallback;
        UserDefinedPieces = userDefined;
        _matchableSpan = _matchable.GetAlternateLookup<ReadOnlySpan<char>>();
        _reservedSpan = _reserved.GetAlternateLookup<ReadOnlySpan<char>>();

        // Byte fallback looks pieces up by their canonical name, exactly as sentencepiece does.
        ByteFallbackIds = new int[256];
        for (int b = 0; b < 256; b++) ByteFallbackIds[b] = PieceToId(BytePieceName(b));
    }

    public int Count => _pieces.Length;
    public int UnkId { get; }
    public bool ByteFallback { get; }
    public IReadOnlyList<string> UserDefinedPieces { get; }
    public IReadOnlyList<VocabularyPiece> Pieces => _pieces;

    /// <summary>UTF-8 length of each piece (user-defined pieces score by it).</summary>
    public int[] ByteLengths { get; }

    /// <summary>Id used for each byte when an unknown character falls back to bytes.</summary>
    public int[] ByteFallbackIds { get; }

    /// <summary>All pieces that segmentation may produce from text, by id.</summary>
    public IEnumerable<KeyValuePair<string, int>> MatchablePieces => _matchable;

    public string Piece(int id) => _pieces[id].Piece;
    public float Score(int id) => _pieces[id].Score;
    public PieceType Type(int id) => _pieces[id].Type;
    public bool IsUnknown(int id) => _pieces[id].Type == PieceType.Unknown;
    public bool IsControl(int id) => _pieces[id].Type == PieceType.Control;
    public bool IsUnused(int id) => _pieces[id].Type == PieceType.Unused;
    public bool IsUserDefined(int id) => _pieces[id].Type == PieceType.UserDefined;
    public bool IsByte(int id) => _pieces[id].Type == PieceType.Byte;

    /// <summary>Byte value of a BYTE piece (validated at load), -1 for other pieces.</summary>
    public int ByteValue(int id) => _byteValue[id];

    public int PieceToId(string piece) => PieceToId(piece.AsSpan());

    public int PieceToId(ReadOnlySpan<char> piece)
    {
        if (_reservedSpan.TryGetValue(piece, out int id)) return id;
        if (_matchableSpan.TryGetValue(piece, out id)) return id;
        return UnkId;
    }

    /// <summary>Id of a NORMAL / USER_DEFINED / UNUSED piece with this exact text, or -1.</summary>
    public int MatchableId(ReadOnlySpan<char> piece) => _matchableSpan.TryGetValue(piece, out int id) ? id : -1;

    public static string BytePieceName(int value) => $"<0x{value:X2}>";

    private static int ParseBytePiece(string piece)
    {
        if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>') return -1;
        int hi = UpperHex(piece[3]), lo = UpperHex(piece[4]);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static int UpperHex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
