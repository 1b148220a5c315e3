using System.Text;

namespace MusicGen.Assistant.Audio;

/// <summary>
/// Names a media container from its first bytes, so "not a WAV file" errors can say what the file actually is
/// (and callers can decide to route it to a general decoder instead).
/// </summary>
public static class FileSignature
{
    /// <summary>How many leading bytes <see cref="Identify"/> looks at.</summary>
    public const int BytesNeeded = 16;

    /// <summary>A short name such as "MP3 (ID3 tag)", "FLAC", "WAV"; null when the signature is unknown.</summary>
    public static string? Identify(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
            return "an empty file";
        if (StartsWith(head, "RIFF") || StartsWith(head, "RF64") || StartsWith(head, "BW64"))
        {
            if (head.Length >= 12 && Ascii(head, 8, 4) is var form)
                return form switch
                {
                    "WAVE" => "WAV",
                    "WEBP" => "WebP image",
                    _ => $"a RIFF container of type '{form}' (not WAVE)",
                };
            return "a RIFF header cut short";
        }
        if (StartsWith(head, "ID3")) return "MP3 (ID3 tag)";
        if (StartsWith(head, "fLaC")) return "FLAC";
        if (StartsWith(head, "OggS")) return "OGG";
        if (head.Length >= 8 && Ascii(head, 4, 4) == "ftyp") return "MP4/M4A (ISO base media 'ftyp')";
        if (StartsWith(head, "FORM") && head.Length >= 12)
        {
            string form = Ascii(head, 8, 4);
            return form is "AIFF" or "AIFC" ? $"AIFF ({form})" : $"an IFF container of type '{form}'";
        }
        if (StartsWith(head, "caff")) return "Core Audio Format (CAF)";
        if (StartsWith(head, ".snd")) return "Sun/NeXT AU";
        if (StartsWith(head, "MThd")) return "MIDI";
        if (StartsWith(head, "wvpk")) return "WavPack";
        if (StartsWith(head, "MAC ")) return "Monkey's Audio (APE)";
        if (StartsWith(head, "#!AMR")) return "AMR";
        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
            return "Matroska/WebM";
        if (head.Length >= 4 && head[0] == 0x30 && head[1] == 0x26 && head[2] == 0xB2 && head[3] == 0x75)
            return "ASF/WMA";
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF0) == 0xF0 && (head[1] & 0x06) == 0)
            return "AAC (ADTS stream)";
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
            return "MP3 (MPEG audio frame, no ID3 tag)";
        if (head.Length >= 8 && head[0] == 0x89 && StartsWith(head[1..], "PNG\r\n\u001a\n")) return "PNG image";
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return "JPEG image";
        if (StartsWith(head, "GIF87a") || StartsWith(head, "GIF89a")) return "GIF image";
        if (StartsWith(head, "%PDF")) return "PDF";
        if (StartsWith(head, "PK\u0003\u0004")) return "a ZIP archive";
        if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) return "text (UTF-8 with BOM)";
        if (head.Length >= 14 && StartsWith(head, "BM") && head[6] == 0 && head[7] == 0 && head[8] == 0 && head[9] == 0)
            return "BMP image"; // the reserved bytes are zero, which plain text never has
        if (LooksLikeText(head)) return "text";
        return null;
    }

    /// <summary>"looks like FLAC (first bytes: 66 4C 61 43 ...)" or "unknown format (first bytes: ...)".</summary>
    public static string Describe(ReadOnlySpan<byte> head)
    {
        string? kind = Identify(head);
        if (head.IsEmpty)
            return "the file is empty";
        string hex = Convert.ToHexString(head[..Math.Min(head.Length, BytesNeeded)]);
        var spaced = new StringBuilder();
        for (int i = 0; i < hex.Length; i += 2)
            spaced.Append(i == 0 ? "" : " ").Append(hex, i, 2);
        return kind is null
            ? $"unknown format (first bytes: {spaced})"
            : $"looks like {kind} (first bytes: {spaced})";
    }

    private static bool StartsWith(ReadOnlySpan<byte> head, string ascii)
    {
        if (head.Length < ascii.Length)
            return false;
        for (int i = 0; i < ascii.Length; i++)
            if (head[i] != ascii[i])
                return false;
        return true;
    }

    private static string Ascii(ReadOnlySpan<byte> head, int offset, int count)
    {
        var chars = new char[count];
        for (int i = 0; i < count; i++)
        {
            byte b = head[offset + i];
            chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
        }
        return new string(chars);
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        foreach (byte b in head)
            if (b is not (>= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                return false;
        return true;
    }
}
