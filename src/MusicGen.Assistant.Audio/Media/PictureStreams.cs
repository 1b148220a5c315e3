namespace MusicGen.Assistant.Audio.Media;

/// <summary>Choosing the picture stream to decode, with the errors for files that have none.</summary>
internal static class PictureStreams
{
    public static MediaStreamInfo Pick(MediaInfo info, int? index, bool allowCoverPicture)
    {
        if (index is { } wanted)
        {
            MediaStreamInfo? chosen = info.Streams.FirstOrDefault(s => s.Index == wanted);
            if (chosen is { Type: MediaStreamType.Video } && (allowCoverPicture || !chosen.IsAttachedPicture))
                return chosen;
            throw new MediaFormatException(info.Path, MediaProblem.NoVideoStream,
                chosen is null ? $"has no stream {wanted} (it holds {info.DescribeStreams()})" : $"stream {wanted} is not {What(allowCoverPicture)} ({chosen})");
        }
        MediaStreamInfo? first = allowCoverPicture ? info.PictureStreams.FirstOrDefault() : info.VideoStreams.FirstOrDefault();
        return first ?? throw new MediaFormatException(info.Path, MediaProblem.NoVideoStream,
            $"has no {What(allowCoverPicture)} stream (it holds {info.DescribeStreams()})");
    }

    public static void CheckSize(MediaInfo info, MediaStreamInfo stream, long maxPixels)
    {
        if (stream.Width is { } w && stream.Height is { } h && (long)w * h > maxPixels)
            throw new MediaFormatException(info.Path, MediaProblem.TooLarge,
                $"the picture is {w}x{h} = {(long)w * h} pixels, over the limit of {maxPixels} (MaxPixels)");
    }

    private static string What(bool allowCoverPicture) => allowCoverPicture ? "image or video" : "video";
}
