using System.Text;
using MusicGen.Assistant.Text.Normalization;

namespace MusicGen.Assistant.Text.SentencePiece;

/// <summary>
/// Ids to text as sentencepiece 0.1.97 decodes (SentencePieceProcessor::Decode): control pieces vanish, unknown
/// ids become the unk surface, runs of byte pieces are reassembled as UTF-8 (each malformed byte becomes U+FFFD),
/// U+2581 becomes a space, and while nothing visible has been written yet one leading U+2581 (the dummy prefix)
/// is dropped from the next piece.
/// </summary>
internal sealed class PieceDecoder
{
    private const char SpaceSymbol = '\u2581';

    private readonly Vocabulary _vocab;
    private readonly string _unkSurface;
    private readonly bool _stripLeadingSpace;
    private readonly bool _removeExtraWhitespaces;
    private readonly SentencePieceNormalizer? _denormalizer;

    public PieceDecoder(Vocabulary vocab, SentencePieceModelProto model, string source)
    {
        _vocab = vocab;
        _unkSurface = model.TrainerSpec.UnkSurface;
        _removeExtraWhitespaces = model.NormalizerSpec.RemoveExtraWhitespaces;
        _stripLeadingSpace = model.NormalizerSpec.AddDummyPrefix || _removeExtraWhitespaces;
        if (model.DenormalizerSpec is { PrecompiledCharsmap.Length: > 0 } denormalizer)
            _denormalizer = new SentencePieceNormalizer(denormalizer, treatWhitespaceAsSuffix: false, [], source + " (denormalizer)");
    }

    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return DecodeCore(ids.Select((id, position) =>
        {
            if ((uint)id >= (uint)_vocab.Count)
                throw new ArgumentOutOfRangeException(nameof(ids), id,
                    $"token id {id} at position {position} is outside the vocabulary (0..{_vocab.Count - 1})");
            return (id, _vocab.Piece(id));
        }));
    }

    /// <summary>
    /// sentencepiece's <c>Decode(pieces)</c>: each piece string is looked up (unknown strings get the unk id), and a
    /// string that maps to the unk id without being the unk piece itself is copied through as it is.
    /// </summary>
    public string DecodePieces(IEnumerable<string> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        return DecodeCore(pieces.Select(piece => (_vocab.PieceToId(piece ?? throw new ArgumentNullException(nameof(pieces), "a piece is null")), piece)));
    }

    private string DecodeCore(IEnumerable<(int Id, string Piece)> pieces)
    {
        var text = new StringBuilder();
        var pendingBytes = new List<byte>();
        bool expectBosSpace = true, bosSpaceSeen = false;

        foreach (var (id, piece) in pieces)
        {
            if (_vocab.IsByte(id))
            {
                pendingBytes.Add((byte)_vocab.ByteValue(id));
                continue;
            }
            FlushBytes(pendingBytes, text);
            if (bosSpaceSeen || text.Length > 0) expectBosSpace = false;
            bosSpaceSeen = AppendPiece(id, piece, expectBosSpace, text);
        }
        FlushBytes(pendingBytes, text);

        string result = text.ToString();
        return _denormalizer is null ? result : _denormalizer.Normalize(result);
    }

    /// <summary>Appends one non-byte piece; returns whether it consumed the dummy-prefix space.</summary>
    private bool AppendPiece(int id, string pieceText, bool expectBosSpace, StringBuilder text)
    {
        if (_vocab.IsControl(id)) return false;
        if (_vocab.IsUnknown(id))
        {
            text.Append(pieceText == _vocab.Piece(id) ? _unkSurface : pieceText);
            return false;
        }

        ReadOnlySpan<char> piece = pieceText;
        bool consumed = false;
        if (expectBosSpace && _stripLeadingSpace && piece.Length > 0 && piece[0] == SpaceSymbol)
        {
            piece = piece[1..];
            // With whitespace folding every leading space is dropped, so keep looking for one.
            consumed = !_removeExtraWhitespaces;
        }
        foreach (char c in piece) text.Append(c == SpaceSymbol ? ' ' : c);
        return consumed;
    }

    private static void FlushBytes(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count == 0) return;
        ReadOnlySpan<byte> rest = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        while (!rest.IsEmpty)
        {
            if (Utf8Sequence.IsValidChar(rest, out int n)) text.Append(Encoding.UTF8.GetString(rest[..n]));
            else text.Append('\uFFFD');
            rest = rest[n..];
        }
        bytes.Clear();
    }
}
