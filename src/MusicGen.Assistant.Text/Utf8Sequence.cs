namespace MusicGen.Assistant.Text;

/// <summary>UTF-8 scanning with sentencepiece's rules (string_util::OneCharLen / IsValidDecodeUTF8).</summary>
internal static class Utf8Sequence
{
    /// <summary>Length that the lead byte announces; continuation or invalid lead bytes count as 1.</summary>
    public static int OneCharLength(byte lead) => (lead >> 4) switch
    {
        0xC or 0xD => 2,
        0xE => 3,
        0xF => 4,
        _ => 1,
    };

    /// <summary>
    /// Decodes the first character strictly (no overlongs, no surrogates, at most U+10FFFF).
    /// Returns false with <paramref name="length"/> = 1 when the bytes are malformed.
    /// </summary>
    public static bool IsValidChar(ReadOnlySpan<byte> s, out int length)
    {
        length = 1;
        if (s.IsEmpty) return false;
        byte b0 = s[0];
        if (b0 < 0x80) return true;
        if ((b0 & 0xE0) == 0xC0 && s.Length >= 2 && IsTrail(s[1]))
        {
            int cp = ((b0 & 0x1F) << 6) | (s[1] & 0x3F);
            if (cp >= 0x80) { length = 2; return true; }
        }
        else if ((b0 & 0xF0) == 0xE0 && s.Length >= 3 && IsTrail(s[1]) && IsTrail(s[2]))
        {
            int cp = ((b0 & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
            if (cp >= 0x800 && IsValidCodePoint(cp)) { length = 3; return true; }
        }
        else if ((b0 & 0xF8) == 0xF0 && s.Length >= 4 && IsTrail(s[1]) && IsTrail(s[2]) && IsTrail(s[3]))
        {
            int cp = ((b0 & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
            if (cp >= 0x10000 && IsValidCodePoint(cp)) { length = 4; return true; }
        }
        return false;
    }

    /// <summary>True when every character of <paramref name="s"/> is well-formed.</summary>
    public static bool IsValid(ReadOnlySpan<byte> s)
    {
        while (!s.IsEmpty)
        {
            if (!IsValidChar(s, out int n)) return false;
            s = s[n..];
        }
        return true;
    }

    private static bool IsTrail(byte b) => (b & 0xC0) == 0x80;

    private static bool IsValidCodePoint(int cp) => cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
}
