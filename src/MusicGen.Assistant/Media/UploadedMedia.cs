using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Media;

/// <summary>What an uploaded file turned out to be: its kind, ffprobe's container name, and the length of audio or video.</summary>
public sealed record UploadedMediaInfo(AttachmentKind Kind, string Format, TimeSpan? Duration, string Streams);

/// <summary>
/// Checks that an uploaded file is the media it claims to be before anything else reads it: its first bytes must carry
/// a signature of that kind (<see cref="MediaSignatures"/>), then ffprobe must find a stream of that kind in it. A file
/// that fails is refused with a message naming the claim and what the bytes look like.
/// </summary>
public static class UploadedMedia
{
    public static UploadedMediaInfo Verify(string path, AttachmentKind claimed, string displayName, CancellationToken cancellation = default)
    {
        var head = ReadHead(path);
        if (head.Length == 0) throw AssistantException.BadInput($"the {Name(claimed)} '{displayName}' is empty");
        var sniffed = MediaSignatures.Detect(head);
        if (sniffed is null || !MediaSignatures.Fits(sniffed.Value, claimed))
            throw AssistantException.BadInput($"'{displayName}' was sent as {Name(claimed)} but its bytes are {(sniffed is { } s ? $"a {s.Describe()}" : "not a known audio, image or video format")}");
        MediaInfo info;
        try { info = InputLimits.Checked(() => MediaProbe.Probe(path, cancellation)); }
        catch (MediaFormatException e)
        {
            throw AssistantException.BadInput($"the {Name(claimed)} '{displayName}' cannot be read: {e.Message}", e);
        }
        catch (MediaToolNotFoundException e)
        {
            throw AssistantException.Runtime(e.Message, e);
        }
        var stream = claimed switch
        {
            AttachmentKind.Audio => info.AudioStreams.FirstOrDefault(),
            AttachmentKind.Image => info.PictureStreams.FirstOrDefault(),
            _ => info.VideoStreams.FirstOrDefault(),
        };
        if (stream is null)
            throw AssistantException.BadInput($"the {Name(claimed)} '{displayName}' holds no {Name(claimed)} stream ({info.DescribeStreams()})");
        var duration = claimed == AttachmentKind.Image ? null : info.DurationOf(stream);
        if (duration is { } d && d > InputLimits.MaxDuration)
            throw AssistantException.BadInput($"the {Name(claimed)} '{displayName}' is {d.TotalSeconds:0.#} s long; the limit is {InputLimits.MaxDuration.TotalSeconds:0} s (set by {InputLimits.MaxSecondsVariable})");
        return new UploadedMediaInfo(claimed, info.FormatName, duration, info.DescribeStreams());
    }

    public static string Name(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Audio => "audio",
        AttachmentKind.Image => "image",
        _ => "video",
    };

    private static byte[] ReadHead(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var head = new byte[64];
            var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return head[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AssistantException.BadInput($"the upload cannot be read: {e.Message}", e);
        }
    }
}
