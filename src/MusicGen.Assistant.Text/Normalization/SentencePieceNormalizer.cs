using System.Buffers;
using System.Text;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Normalization;

/// <summary>
/// sentencepiece's Normalizer::Normalize on UTF-8 bytes: at each position take the longest user-defined symbol
/// (copied verbatim), else the longest charsmap rule, else the character itself (malformed bytes become U+FFFD);
/// then the whitespace rules: drop leading spaces and fold runs (remove_extra_whitespaces), add the dummy prefix
/// (or suffix), escape ' ' as U+2581 and drop trailing spaces.
/// </summary>
internal sealed class SentencePieceNormalizer
{
    private static readonly byte[] SpaceSymbol = [0xE2, 0x96, 0x81];
    private static readonly byte[] ReplacementChar = [0xEF, 0xBF, 0xBD];

    private readonly PrecompiledCharsMap? _charsMap;
    private readonly SymbolTrie? _userSymbols;
    private readonly bool _addDummyPrefix, _removeExtraWhitespaces, _escapeWhitespaces, _suffix;

    public SentencePieceNormalizer(NormalizerSpec spec, bool treatWhitespaceAsSuffix, IReadOnlyList<string> userDefinedSymbols, string source)
    {
        if (spec.PrecompiledCharsmap.Length > 0) _charsMap = new PrecompiledCharsMap(spec.PrecompiledCharsmap, source);
        if (userDefinedSymbols.Count > 0)
        {
            _userSymbols = new SymbolTrie();
            foreach (string s in userDefinedSymbols) _userSymbols.Add(Encoding.UTF8.GetBytes(s), 0);
        }
        _addDummyPrefix = spec.AddDummyPrefix;
        _removeExtraWhitespaces = spec.RemoveExtraWhitespaces;
        _escapeWhitespaces = spec.EscapeWhitespaces;
        _suffix = treatWhitespaceAsSuffix;
    }

    public string Normalize(string text)
    {
        if (text.Length == 0) return "";
        byte[] input = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        var output = new ByteBuffer(text.Length * 3 + 8);
        try
        {
            int length = Encoding.UTF8.GetBytes(text, input);
            Normalize(input.AsSpan(0, length), ref output);
            return Encoding.UTF8.GetString(output.Written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            output.Dispose();
        }
    }

    private void Normalize(ReadOnlySpan<byte> input, ref ByteBuffer output)
    {
        if (_removeExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                int consumed = NormalizePrefix(input, out var piece);
                if (piece.Length != 1 || piece[0] != (byte)' ') break;
                input = input[consumed..];
            }
        }
        if (input.IsEmpty) return;

        if (!_suffix && _addDummyPrefix) AppendSpace(ref output);

        bool isPrevSpace = _removeExtraWhitespaces;
        while (!input.IsEmpty)
        {
            int consumed = NormalizePrefix(input, out var piece);
            if (isPrevSpace)
                while (!piece.IsEmpty && piece[0] == (byte)' ') piece = piece[1..];
            if (!piece.IsEmpty)
            {
                foreach (byte b in piece)
                {
                    if (_escapeWhitespaces && b == (byte)' ') output.Append(SpaceSymbol);
                    else output.Append(b);
                }
                isPrevSpace = piece[^1] == (byte)' ';
            }
            input = input[consumed..];
            if (!_removeExtraWhitespaces) isPrevSpace = false;
        }

        if (_removeExtraWhitespaces)
        {
            ReadOnlySpan<byte> space = _escapeWhitespaces ? SpaceSymbol : " "u8;
            while (output.Written.EndsWith(space)) output.Truncate(output.Length - space.Length);
        }

        if (_suffix && _addDummyPrefix) AppendSpace(ref output);
    }

    private void AppendSpace(ref ByteBuffer output)
    {
        if (_escapeWhitespaces) output.Append(SpaceSymbol);
        else output.Append((byte)' ');
    }

    /// <summary>Normalizes the first unit of <paramref name="input"/>; returns how many input bytes it consumed.</summary>
    private int NormalizePrefix(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> normalized)
    {
        if (_userSymbols is not null)
        {
            int n = _userSymbols.LongestPrefix(input);
            if (n > 0)
            {
                normalized = input[..n];
                return n;
            }
        }
        if (_charsMap is not null)
        {
            int n = _charsMap.LongestMatch(input, out normalized);
            if (n > 0) return n;
        }
        if (Utf8Sequence.IsValidChar(input, out int length))
        {
            normalized = input[..length];
            return length;
        }
        normalized = ReplacementChar;
        return 1;
    }

    /// <summary>Growable byte buffer on pooled arrays.</summary>
    private struct ByteBuffer(int capacity) : IDisposable
    {
        private byte[] _data = ArrayPool<byte>.Shared.Rent(capacity);

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Written => _data.AsSpan(0, Length);

        public void Append(byte b)
        {
            if (Length == _data.Length) Grow(1);
            _data[Length++] = b;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (Length + bytes.Length > _data.Length) Grow(bytes.Length);
            bytes.CopyTo(_data.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Truncate(int length) => Length = length;

        public void Dispose() => ArrayPool<byte>.Shared.Return(_data);

        private void Grow(int extra)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, Length + extra));
            _data.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = bigger;
        }
    }
}
