using MusicGen.Assistant.Files;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>
/// The audio a generation continues (<c>--continue FILE</c>): read, mixed to the decoder's channels, resampled to the
/// codec's rate and encoded with EnCodec into the decoder's codebook rows [K, P] (stereo models: each channel coded
/// by the mono codec, rows interleaved L0, R0, L1, R1, ... as the stereo decoder orders them). The generator
/// prefills these codes and never overwrites them, so the result starts with the prompt.
/// </summary>
internal sealed record ContinuationPrompt(string Path, int[,] Codes, double Seconds)
{
    public int Frames => Codes.GetLength(1);

    public static ContinuationPrompt Load(CliSession session, MusicGenModelSet set, string path, string spoolDirectory)
    {
        var full = InputFiles.Require(path, "audio prompt (--continue)");
        var channels = set.Config.AudioChannels;
        var format = MediaToModelInput.Inspect(full, channels);
        if (channels == 2 && format.ChannelCount != 2)
            throw new CliException($"audio prompt '{path}' has {format.ChannelCount} channel(s); this stereo model continues stereo audio only (2 channels)");
        if (format.FrameCount == 0) throw new CliException($"audio prompt '{path}' holds no audio (0 frames)");

        var codec = set.Codec;
        using var samples = ConsoleProgress.Run(session, progress =>
            MediaToModelInput.Spool(full, codec.Config.SamplingRate, channels, spoolDirectory, System.IO.Path.GetFileName(full), progress, "read prompt", session.Cancellation));
        return FromSamples(session, set, samples, full);
    }

    /// <summary>Encodes audio already at the codec's rate and the decoder's channels (e.g. the tail of a track).</summary>
    public static ContinuationPrompt FromSamples(CliSession session, MusicGenModelSet set, ISampleSource samples, string path)
    {
        var codec = set.Codec;
        var channels = set.Config.AudioChannels;
        if (samples.Channels != channels)
            throw new CliException($"audio prompt '{path}' has {samples.Channels} channel(s); the decoder takes {channels}");
        if (samples.Length < codec.Config.HopLength)
            throw new CliException($"audio prompt '{path}' is too short: {Units.Seconds(samples.Length / (double)codec.Config.SamplingRate)} " +
                                   $"at {codec.Config.SamplingRate} Hz is less than one codec frame ({Units.Seconds(codec.Config.HopLength / (double)codec.Config.SamplingRate)})");

        var perChannel = new int[channels][][];
        for (var c = 0; c < channels; c++)
        {
            ISampleSource source = channels == 1 ? samples : new ChannelSampleSource(samples, c);
            perChannel[c] = ConsoleProgress.Run(session, channels == 1 ? "encode prompt" : $"encode prompt ({(c == 0 ? "left" : "right")})", "frames",
                progress => codec.Encode(source, null, progress)).Codes;
        }
        var codebooks = set.Config.ChannelCodebooks;
        if (perChannel[0].Length < codebooks)
            throw new CliException($"the codec codes {perChannel[0].Length} codebooks per channel but the decoder needs {codebooks}");

        var frames = perChannel[0][0].Length;
        var codes = new int[codebooks * channels, frames];
        for (var k = 0; k < codebooks; k++)
            for (var c = 0; c < channels; c++)
                for (var t = 0; t < frames; t++)
                    codes[k * channels + c, t] = perChannel[c][k][t];
        return new ContinuationPrompt(path, codes, samples.Length / (double)codec.Config.SamplingRate);
    }
}
