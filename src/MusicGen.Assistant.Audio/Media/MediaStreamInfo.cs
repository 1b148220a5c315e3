using System.Globalization;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>One stream of a media file as ffprobe (or our WAV reader) describes it; absent values are null.</summary>
public sealed record MediaStreamInfo
{
    /// <summary>The stream's index in the file (ffmpeg's <c>0:N</c>).</summary>
    public required int Index { get; init; }

    public required MediaStreamType Type { get; init; }

    /// <summary>ffmpeg's codec name, e.g. "mp3", "pcm_s16le", "h264", "png".</summary>
    public required string Codec { get; init; }

    public int? SampleRate { get; init; }

    public int? Channels { get; init; }

    /// <summary>e.g. "stereo", "5.1(side)".</summary>
    public string? ChannelLayout { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>Average frames per second (video), when known.</summary>
    public double? FrameRate { get; init; }

    /// <summary>Frame count the container declares (video), when it declares one.</summary>
    public long? FrameCount { get; init; }

    public TimeSpan? Duration { get; init; }

    /// <summary>A cover image stored as a one-frame "video" stream (e.g. in MP3/M4A/FLAC), not a moving picture.</summary>
    public bool IsAttachedPicture { get; init; }

    /// <summary>e.g. "audio: mp3, 44100 Hz, stereo" or "video: h264, 640x360, 25 fps".</summary>
    public override string ToString()
    {
        var parts = new List<string> { Codec };
        if (SampleRate is { } rate) parts.Add($"{rate} Hz");
        if (ChannelLayout is { Length: > 0 } layout) parts.Add(layout);
        else if (Channels is { } ch) parts.Add(ch == 1 ? "mono" : $"{ch} channels");
        if (Width is { } w && Height is { } h) parts.Add($"{w}x{h}");
        if (IsAttachedPicture) parts.Add("cover picture");
        else if (Type == MediaStreamType.Video && FrameRate is { } fps) parts.Add($"{fps.ToString("0.###", CultureInfo.InvariantCulture)} fps");
        return $"{Type.ToString().ToLowerInvariant()}: {string.Join(", ", parts)}";
    }
}
