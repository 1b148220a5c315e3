using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>WAV files are read by our own reader: exact, no ffmpeg needed, and it names a truncated data chunk.</summary>
internal sealed class WavPcmSource(WavFileReader reader) : PcmSource
{
    public static MediaInfo Describe(string path, WavFormat format) => new()
    {
        Path = path,
        FormatName = "wav",
        Duration = format.Duration,
        Streams =
        [
            new MediaStreamInfo
            {
                Index = 0,
                Type = MediaStreamType.Audio,
                Codec = $"wav {format.SampleFormat}",
                SampleRate = format.SampleRate,
                Channels = format.ChannelCount,
                Duration = format.Duration,
            },
        ],
    };

    public override int Read(float[][] destination, int maxFrames)
    {
        try
        {
            return reader.Read(destination, 0, maxFrames);
        }
        catch (AudioFormatException e)
        {
            bool truncated = e.Problem.StartsWith("truncated", StringComparison.Ordinal);
            throw new MediaFormatException(reader.Path, truncated ? MediaProblem.Truncated : MediaProblem.DecodeFailed, e.Problem, inner: e);
        }
    }

    public override void Finish(long framesRead)
    {
        // The reader stops at the header's frame count and throws when the data ends before it.
    }

    public override void Dispose() => reader.Dispose();
}
