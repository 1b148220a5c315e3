using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// The audio a generation continues (<c>--continue FILE</c>): read, mixed to the decoder's channels, resampled to the
/// codec's rate and encoded with EnCodec into the decoder's codebook rows [K, P] (stereo models: each channel coded
/// by the mono codec, rows interleaved L0, R0, L1, R1, ... as the stereo decoder orders them). The generator
/// prefills these codes and never overwrites them, so the result starts with the prompt.
/// </summary>
public sealed record ContinuationPrompt(string Path, int[,] Codes, double Seconds)
{
    public int Frames => Codes.GetLength(1);

    /// <summary>Reads and encodes <paramref name="path"/> (stages "read prompt", "encode prompt"), spooling beside <paramref name="spoolDirectory"/>.</summary>
    public static ContinuationPrompt Load(MusicGenModelSet set, string path, string spoolDirectory, IProgress<JobProgress>? progress = null,
        CancellationToken cancellation = default) => AssistantException.Guard(() =>
    {
        using var _ = set.EnterJob(cancellation);
        var full = InputFiles.Require(path, "audio prompt (--continue)");
        var channels = set.Config.AudioChannels;
        var format = MediaToModelInput.Inspect(full, channels, cancellation);
        if (channels == 2 && format.ChannelCount != 2)
            throw AssistantException.Unsupported($"audio prompt '{path}' has {format.ChannelCount} channel(s); this stereo model continues stereo audio only (2 channels)");
        if (format.FrameCount == 0) throw AssistantException.BadInput($"audio prompt '{path}' holds no audio (0 frames)");

        using var samples = MediaToModelInput.Spool(full, set.Codec.Config.SamplingRate, channels, spoolDirectory, System.IO.Path.GetFileName(full),
            progress, "read prompt", cancellation);
        return FromSamples(set, samples, full, progress, cancellation);
    });

    /// <summary>Encodes audio already at the codec's rate and the decoder's channels (e.g. the tail of a track); the caller holds the set's gate.</summary>
    internal static ContinuationPrompt FromSamples(MusicGenModelSet set, ISampleSource samples, string path, IProgress<JobProgress>? progress,
        CancellationToken cancellation)
    {
        var codec = set.Codec;
        var channels = set.Config.AudioChannels;
        if (samples.Channels != channels)
            throw AssistantException.Unsupported($"audio prompt '{path}' has {samples.Channels} channel(s); the decoder takes {channels}");
        if (samples.Length < codec.Config.HopLength)
            throw AssistantException.BadInput($"audio prompt '{path}' is too short: {Units.Seconds(samples.Length / (double)codec.Config.SamplingRate)} " +
                                              $"at {codec.Config.SamplingRate} Hz is less than one codec frame ({Units.Seconds(codec.Config.HopLength / (double)codec.Config.SamplingRate)})");

        var perChannel = new int[channels][][];
        for (var c = 0; c < channels; c++)
        {
            ISampleSource source = channels == 1 ? samples : new ChannelSampleSource(samples, c);
            perChannel[c] = ProgressStage.Run(progress, channels == 1 ? "encode prompt" : $"encode prompt ({(c == 0 ? "left" : "right")})", "frames",
                cancellation, stage => codec.Encode(source, null, stage)).Codes;
        }
        var codebooks = set.Config.ChannelCodebooks;
        if (perChannel[0].Length < codebooks)
            throw AssistantException.ModelSet($"the codec codes {perChannel[0].Length} codebooks per channel but the decoder needs {codebooks}");

        var frames = perChannel[0][0].Length;
        var codes = new int[codebooks * channels, frames];
        for (var k = 0; k < codebooks; k++)
            for (var c = 0; c < channels; c++)
                for (var t = 0; t < frames; t++)
                    codes[k * channels + c, t] = perChannel[c][k][t];
        return new ContinuationPrompt(path, codes, samples.Length / (double)codec.Config.SamplingRate);
    }
}
