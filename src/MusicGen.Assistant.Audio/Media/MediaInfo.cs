namespace MusicGen.Assistant.Audio.Media;

/// <summary>What a media file holds: its container and streams (from ffprobe, or from the header of a WAV file).</summary>
public sealed record MediaInfo
{
    public required string Path { get; init; }

    /// <summary>ffmpeg's demuxer name(s), e.g. "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "wav".</summary>
    public required string FormatName { get; init; }

    /// <summary>The container's duration, when known.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>True when ffmpeg only guessed the duration from the bit rate, so it cannot reveal a truncated file.</summary>
    public bool DurationIsEstimate { get; init; }

    public required IReadOnlyList<MediaStreamInfo> Streams { get; init; }

    public IEnumerable<MediaStreamInfo> AudioStreams => Streams.Where(s => s.Type == MediaStreamType.Audio);

    /// <summary>Picture streams, cover pictures included.</summary>
    public IEnumerable<MediaStreamInfo> PictureStreams => Streams.Where(s => s.Type == MediaStreamType.Video);

    /// <summary>Moving-picture streams (cover pictures excluded).</summary>
    public IEnumerable<MediaStreamInfo> VideoStreams => PictureStreams.Where(s => !s.IsAttachedPicture);

    /// <summary>The stream's own duration, else the container's.</summary>
    public TimeSpan? DurationOf(MediaStreamInfo stream) => stream.Duration ?? Duration;

    /// <summary>"audio: mp3, 44100 Hz, stereo; video: png, 300x300, cover picture", or "no streams".</summary>
    public string DescribeStreams() => Streams.Count == 0 ? "no streams" : string.Join("; ", Streams);
}
