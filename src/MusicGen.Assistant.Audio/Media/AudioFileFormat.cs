namespace MusicGen.Assistant.Audio.Media;

/// <summary>Output file formats: WAV is written by our own writer, the others through ffmpeg.</summary>
public enum AudioFileFormat
{
    Wav,
    /// <summary>MP3 (libmp3lame).</summary>
    Mp3,
    /// <summary>FLAC, lossless.</summary>
    Flac,
    /// <summary>Ogg Vorbis (libvorbis).</summary>
    Ogg,
}

public static class AudioFileFormats
{
    /// <summary>The extensions understood, for messages.</summary>
    public const string Supported = ".wav, .mp3, .flac, .ogg";

    /// <summary>The format a file name asks for; null when the extension is not one of <see cref="Supported"/>.</summary>
    public static AudioFileFormat? FromExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".wav" or ".wave" => AudioFileFormat.Wav,
            ".mp3" => AudioFileFormat.Mp3,
            ".flac" => AudioFileFormat.Flac,
            ".ogg" or ".oga" => AudioFileFormat.Ogg,
            _ => null,
        };

    /// <summary>Like <see cref="FromExtension"/>, but an unknown or missing extension is an error naming the choices.</summary>
    public static AudioFileFormat Require(string path) =>
        FromExtension(path) ?? throw new ArgumentException(
            $"'{path}': cannot tell the audio format from the extension '{Path.GetExtension(path)}'; use one of {Supported}.",
            nameof(path));

    public static bool NeedsFfmpeg(this AudioFileFormat format) => format != AudioFileFormat.Wav;

    public static string Extension(this AudioFileFormat format) => format switch
    {
        AudioFileFormat.Wav => ".wav",
        AudioFileFormat.Mp3 => ".mp3",
        AudioFileFormat.Flac => ".flac",
        AudioFileFormat.Ogg => ".ogg",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown audio file format."),
    };
}
