namespace MusicGen.Assistant.Audio.Media;

/// <summary>What kind of trouble a <see cref="MediaFormatException"/> reports, for callers that react differently.</summary>
public enum MediaProblem
{
    /// <summary>The file has no bytes.</summary>
    Empty,
    /// <summary>Neither our readers nor ffmpeg recognise the file as audio, image or video.</summary>
    NotMedia,
    /// <summary>The file looks like a known container but cannot be read: cut short or corrupt.</summary>
    Damaged,
    /// <summary>Decoding ended well before the duration the file declares.</summary>
    Truncated,
    /// <summary>The file is media but has no audio stream.</summary>
    NoAudioStream,
    /// <summary>The file is media but has no picture (image or video) stream.</summary>
    NoVideoStream,
    /// <summary>The input is longer than the configured limit.</summary>
    TooLong,
    /// <summary>An image or frame has more pixels than the configured limit.</summary>
    TooLarge,
    /// <summary>The stream's layout cannot be converted as asked (e.g. 6 channels to 2).</summary>
    Unsupported,
    /// <summary>ffmpeg failed while decoding.</summary>
    DecodeFailed,
    /// <summary>ffmpeg failed while encoding an output file.</summary>
    EncodeFailed,
}
