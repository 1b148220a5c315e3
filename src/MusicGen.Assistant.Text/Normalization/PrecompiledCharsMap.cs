using System.Buffers.Binary;

namespace MusicGen.Assistant.Text.Normalization;

/// <summary>
/// sentencepiece's precompiled character map: <c>[uint32 LE trie size][darts-clone double array][replacements]</c>.
/// The double array maps UTF-8 byte sequences to offsets of NUL-terminated replacement strings.
/// A darts-clone unit packs: bit 8 = has-leaf, bit 9 = offset-scale, bits 10..31 = offset, low byte (+bit 31) = label;
/// a leaf unit's low 31 bits are the value.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    // sentencepiece keeps at most this many prefix matches per lookup (Normalizer::kMaxTrieResultsSize).
    private const int MaxTrieResults = 32;

    private readonly uint[] _units;
    private readonly byte[] _replacements;
    private readonly string _source;

    public PrecompiledCharsMap(ReadOnlySpan<byte> blob, string source)
    {
        _source = source;
        if (blob.Length <= 4)
            throw new TokenizerFormatException(source, $"precompiled_charsmap is broken: {blob.Length} bytes, too short for its header");
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize > (uint)(blob.Length - 4))
            throw new TokenizerFormatException(source, $"precompiled_charsmap is broken: trie size {trieSize} exceeds the {blob.Length - 4} bytes after the header");
        if (trieSize % 4 != 0)
            throw new TokenizerFormatException(source, $"precompiled_charsmap is broken: trie size {trieSize} is not a multiple of 4");

        _units = new uint[trieSize / 4];
        for (int i = 0; i < _units.Length; i++)
            _units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.Slice(4 + i * 4, 4));
        _replacements = blob[(4 + (int)trieSize)..].ToArray();
        if (!Utf8Sequence.IsValid(_replacements))
            throw new TokenizerFormatException(source, "precompiled_charsmap is broken: its replacement strings are not valid UTF-8");
    }

    /// <summary>
    /// Longest rule whose key is a prefix of <paramref name="input"/>.
    /// Returns the matched byte length (0 when no rule applies) and the replacement text.
    /// </summary>
    public int LongestMatch(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> replacement)
    {
        replacement = default;
        if (_units.Length == 0) return 0;

        int longest = 0, value = 0, found = 0;
        uint nodePos = Offset(UnitAt(0));
        for (int i = 0; i < input.Length; i++)
        {
            byte label = input[i];
            nodePos ^= label;
            uint unit = UnitAt(nodePos);
            if ((unit & 0x800000FFu) != label) break;
            nodePos ^= Offset(unit);
            if (((unit >> 8) & 1) != 0)
            {
                if (found < MaxTrieResults)
                {
                    longest = i + 1;
                    value = (int)(UnitAt(nodePos) & 0x7FFFFFFFu);
                }
                found++;
            }
        }
        if (longest == 0) return 0;

        if (value >= _replacements.Length)
            throw Corrupt($"replacement offset {value} is outside the {_replacements.Length}-byte string table");
        var tail = _replacements.AsSpan(value);
        int end = tail.IndexOf((byte)0);
        replacement = end < 0 ? tail : tail[..end];
        return longest;
    }

    private uint UnitAt(uint index)
    {
        if (index >= (uint)_units.Length)
            throw Corrupt($"trie index {index} is outside the {_units.Length}-unit double array");
        return _units[index];
    }

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    private TokenizerFormatException Corrupt(string problem) =>
        new(_source, $"precompiled_charsmap is corrupt: {problem}");
}
