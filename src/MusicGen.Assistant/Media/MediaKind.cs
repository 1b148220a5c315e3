namespace MusicGen.Assistant.Media;

/// <summary>What an attachment to a turn is: music to listen to or edit, a picture, or a video clip.</summary>
public enum MediaKind
{
    Audio,
    Image,
    Video,
}
