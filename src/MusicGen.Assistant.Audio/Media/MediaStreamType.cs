namespace MusicGen.Assistant.Audio.Media;

/// <summary>ffprobe's codec_type of a stream.</summary>
public enum MediaStreamType
{
    Unknown,
    Audio,
    Video,
    Subtitle,
    Data,
    Attachment,
}
