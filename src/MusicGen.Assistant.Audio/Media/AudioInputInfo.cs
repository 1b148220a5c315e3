namespace MusicGen.Assistant.Audio.Media;

/// <summary>The audio stream <see cref="AudioDecoder"/> would decode from a file, and the file it is in.</summary>
public sealed record AudioInputInfo(MediaInfo Media, MediaStreamInfo Stream)
{
    public int SampleRate => Stream.SampleRate!.Value;

    public int ChannelCount => Stream.Channels!.Value;

    /// <summary>The declared duration, when the file declares one.</summary>
    public TimeSpan? Duration => Media.DurationOf(Stream);

    /// <summary>The declared duration in frames at <see cref="SampleRate"/>, when known.</summary>
    public long? FrameCount => Duration is { } d ? (long)Math.Round(d.TotalSeconds * SampleRate) : null;
}
