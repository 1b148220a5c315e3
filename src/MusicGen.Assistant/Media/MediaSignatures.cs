using System.Text;
using MusicGen.Assistant.Conversations;

namespace MusicGen.Assistant.Media;

/// <summary>A container recognised from a file's first bytes.</summary>
public enum MediaContainer
{
    Wav, Mp3, Flac, Ogg, Aiff, Mp4, Matroska, Avi, Png, Jpeg, Gif, Webp, Bmp,
}

/// <summary>
/// Recognises common audio, image and video containers by their magic bytes (the first 12 are enough), so an upload
/// that claims to be audio but is a text file or a picture is refused before a decoder sees it.
/// </summary>
public static class MediaSignatures
{
    public static MediaContainer? Detect(ReadOnlySpan<byte> head)
    {
        if (At(head, 0, "RIFF") && At(head, 8, "WAVE")) return MediaContainer.Wav;
        if (At(head, 0, "RIFF") && At(head, 8, "WEBP")) return MediaContainer.Webp;
        if (At(head, 0, "RIFF") && At(head, 8, "AVI ")) return MediaContainer.Avi;
        if (At(head, 0, "fLaC")) return MediaContainer.Flac;
        if (At(head, 0, "OggS")) return MediaContainer.Ogg;
        if (At(head, 0, "FORM") && (At(head, 8, "AIFF") || At(head, 8, "AIFC"))) return MediaContainer.Aiff;
        if (At(head, 0, "ID3") || head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0) return MediaContainer.Mp3;
        if (At(head, 4, "ftyp")) return MediaContainer.Mp4;
        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3) return MediaContainer.Matroska;
        if (head.Length >= 8 && head[0] == 0x89 && At(head, 1, "PNG")) return MediaContainer.Png;
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return MediaContainer.Jpeg;
        if (At(head, 0, "GIF8")) return MediaContainer.Gif;
        if (At(head, 0, "BM")) return MediaContainer.Bmp;
        return null;
    }

    private static bool At(ReadOnlySpan<byte> head, int offset, string ascii) =>
        head.Length >= offset + ascii.Length && head.Slice(offset, ascii.Length).SequenceEqual(Encoding.ASCII.GetBytes(ascii));

    /// <summary>Whether a container can hold media of that kind (MP4, Matroska and Ogg hold audio or video).</summary>
    public static bool Fits(MediaContainer container, AttachmentKind kind) => kind switch
    {
        AttachmentKind.Audio => container is MediaContainer.Wav or MediaContainer.Mp3 or MediaContainer.Flac or MediaContainer.Ogg
            or MediaContainer.Aiff or MediaContainer.Mp4 or MediaContainer.Matroska,
        AttachmentKind.Image => container is MediaContainer.Png or MediaContainer.Jpeg or MediaContainer.Gif or MediaContainer.Webp or MediaContainer.Bmp,
        _ => container is MediaContainer.Mp4 or MediaContainer.Matroska or MediaContainer.Avi or MediaContainer.Ogg or MediaContainer.Gif,
    };

    public static string Describe(this MediaContainer container) => container switch
    {
        MediaContainer.Wav => "WAV audio file",
        MediaContainer.Mp3 => "MP3 audio file",
        MediaContainer.Flac => "FLAC audio file",
        MediaContainer.Ogg => "Ogg file",
        MediaContainer.Aiff => "AIFF audio file",
        MediaContainer.Mp4 => "MP4/QuickTime file",
        MediaContainer.Matroska => "Matroska/WebM file",
        MediaContainer.Avi => "AVI video file",
        MediaContainer.Png => "PNG image",
        MediaContainer.Jpeg => "JPEG image",
        MediaContainer.Gif => "GIF image",
        MediaContainer.Webp => "WebP image",
        _ => "BMP image",
    };

    /// <summary>The usual file extension of a container (what an upload is stored under, never the client's name).</summary>
    public static string Extension(this MediaContainer container) => container switch
    {
        MediaContainer.Matroska => ".mkv",
        MediaContainer.Jpeg => ".jpg",
        MediaContainer.Mp4 => ".mp4",
        _ => "." + container.ToString().ToLowerInvariant(),
    };
}
