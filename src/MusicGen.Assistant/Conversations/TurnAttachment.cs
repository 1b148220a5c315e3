using System.Text.Json.Serialization;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Vision;

namespace MusicGen.Assistant.Conversations;

/// <summary>What an attachment is to the assistant: music for MERT, a picture for ViT, a clip for ViViT.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttachmentKind>))]
public enum AttachmentKind
{
    Audio,
    Image,
    Video,
}

/// <summary>
/// One input of a turn beside its text: a media file, bytes with their media type (as a chat client receives them),
/// or inputs already prepared (mono samples at any rate; pixel values as the image processor makes them). Files and
/// bytes are decoded through ffmpeg (our WAV reader for WAV): audio to the music encoder's rate, first 60 s, as
/// M2UGen's encode_audio effectively reads; a picture to the ViT's size; a clip to the ViViT's frame count, spread
/// evenly over it.
/// </summary>
public sealed record TurnAttachment
{
    private TurnAttachment(AttachmentKind kind, string name) => (Kind, Name) = (kind, name);

    public AttachmentKind Kind { get; }

    /// <summary>For messages: the file name, or what the bytes are.</summary>
    public string Name { get; }

    public string? Path { get; private init; }
    public ReadOnlyMemory<byte>? Bytes { get; private init; }
    public string? MediaType { get; private init; }

    /// <summary>Prepared audio: one channel (or several, averaged as M2UGen downmixes) at <see cref="SampleRate"/>.</summary>
    internal float[][]? Samples { get; private init; }
    internal int SampleRate { get; private init; }

    /// <summary>Prepared pixel values (the image or video processor already applied).</summary>
    internal PixelValues? Pixels { get; private init; }

    /// <summary>A media file; the kind from <paramref name="kind"/>, else its extension, else what ffprobe finds in it.</summary>
    public static TurnAttachment FromFile(string path, AttachmentKind? kind = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var resolved = kind ?? Attachments.KindOfFile(path);
        return new TurnAttachment(resolved, System.IO.Path.GetFileName(path)) { Path = path };
    }

    /// <summary>Bytes of a media file with their media type ("audio/wav", "image/png", "video/mp4", ...).</summary>
    public static TurnAttachment FromBytes(ReadOnlyMemory<byte> bytes, string mediaType, string? name = null)
    {
        if (bytes.IsEmpty) throw AssistantException.BadInput($"the {mediaType} attachment{(name is null ? "" : $" '{name}'")} is empty");
        var kind = Attachments.KindOfMediaType(mediaType);
        return new TurnAttachment(kind, name ?? $"{mediaType} ({bytes.Length} bytes)") { Bytes = bytes, MediaType = mediaType };
    }

    /// <summary>Audio already decoded: channels of samples at <paramref name="sampleRate"/> (resampled to the encoder's rate).</summary>
    public static TurnAttachment FromSamples(float[][] channels, int sampleRate, string name = "audio samples")
    {
        if (channels is not { Length: > 0 } || channels[0].Length == 0 || channels.Any(c => c.Length != channels[0].Length))
            throw AssistantException.BadInput($"'{name}': audio samples need at least one non-empty channel, all of one length");
        if (sampleRate < 1) throw AssistantException.BadInput($"'{name}': sample rate {sampleRate} Hz");
        return new TurnAttachment(AttachmentKind.Audio, name) { Samples = channels, SampleRate = sampleRate };
    }

    /// <summary>Pixel values already prepared for the encoder ([1, 3, H, W] for an image, [1, frames, 3, H, W] for a clip).</summary>
    public static TurnAttachment FromPixels(PixelValues pixels, AttachmentKind kind, string name = "pixel values")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (kind == AttachmentKind.Audio) throw new ArgumentException("pixel values are an image or a video", nameof(kind));
        return new TurnAttachment(kind, name) { Pixels = pixels };
    }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} '{Name}'";
}

/// <summary>How attachments map to M2UGen's modalities and how a file's or a media type's kind is recognised.</summary>
public static class Attachments
{
    private static readonly string[] AudioExtensions = [".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma", ".aif", ".aiff"];
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm"];
    private static readonly string[] VideoExtensions = [".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv"];

    public static M2UGenModality Modality(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Audio => M2UGenModality.Music,
        AttachmentKind.Image => M2UGenModality.Image,
        _ => M2UGenModality.Video,
    };

    public static AttachmentKind KindOf(M2UGenModality m) => m switch
    {
        M2UGenModality.Music => AttachmentKind.Audio,
        M2UGenModality.Image => AttachmentKind.Image,
        _ => AttachmentKind.Video,
    };

    public static AttachmentKind KindOfMediaType(string mediaType)
    {
        var top = (mediaType ?? "").Split('/')[0].Trim().ToLowerInvariant();
        return top switch
        {
            "audio" => AttachmentKind.Audio,
            "image" => AttachmentKind.Image,
            "video" => AttachmentKind.Video,
            _ => throw AssistantException.Unsupported($"an attachment of media type '{mediaType}': the assistant takes audio/*, image/* or video/*"),
        };
    }

    /// <summary>The kind of a media file: its extension, else its streams (ffprobe).</summary>
    public static AttachmentKind KindOfFile(string path)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (AudioExtensions.Contains(extension)) return AttachmentKind.Audio;
        if (ImageExtensions.Contains(extension)) return AttachmentKind.Image;
        if (VideoExtensions.Contains(extension)) return AttachmentKind.Video;
        return AssistantException.Guard(() =>
        {
            Files.InputFiles.Require(path, "attachment");
            var info = Audio.Media.MediaProbe.Probe(path);
            if (info.VideoStreams.Any(s => info.DurationOf(s) is { TotalSeconds: > 0 })) return AttachmentKind.Video;
            if (info.PictureStreams.Any()) return AttachmentKind.Image;
            if (info.AudioStreams.Any()) return AttachmentKind.Audio;
            throw AssistantException.BadInput($"'{path}' holds no audio, picture or video stream ({info.DescribeStreams()})");
        });
    }
}
