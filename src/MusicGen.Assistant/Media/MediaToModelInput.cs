using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Media;

/// <summary>
/// Streams any audio or video file's sound to a model's input: decoded block by block (WAV by our reader, everything
/// else by ffmpeg), down-mixed (or up-mixed) to the model's channels, resampled to its rate with our streaming
/// resampler, and spooled to a temporary file. Memory stays at one block.
/// </summary>
public static class MediaToModelInput
{
    /// <summary>Inputs longer than this are refused (<see cref="InputLimits"/>: one hour unless configured).</summary>
    public static TimeSpan MaxDuration => InputLimits.MaxDuration;

    // Below 1 kHz or above 768 kHz a rate is almost surely a broken header, not audio worth resampling.
    private const int MinRate = 1000, MaxRate = 768_000;

    /// <summary>Checks that the file has sound that can be mapped to the model's channels; returns what it holds.</summary>
    public static InputAudioInfo Inspect(string path, int modelChannels, CancellationToken cancellation = default) =>
        AssistantException.Guard(() => InspectChecked(path, modelChannels, cancellation));

    private static InputAudioInfo InspectChecked(string path, int modelChannels, CancellationToken cancellation)
    {
        var input = InputLimits.Checked(() => AudioDecoder.Inspect(path, new AudioDecodeOptions { MaxDuration = MaxDuration }, cancellation));
        var info = new InputAudioInfo(input.Stream.Codec, input.SampleRate, input.ChannelCount, input.FrameCount, input.Duration);
        if (info.SampleRate is < MinRate or > MaxRate)
            throw AssistantException.Unsupported($"'{path}' is {info.SampleRate} Hz: supported input rates are {MinRate} to {MaxRate} Hz");
        if (modelChannels > 1 && info.ChannelCount != 1 && info.ChannelCount != modelChannels)
            throw AssistantException.Unsupported($"'{path}' has {info.ChannelCount} channels; this EnCodec takes {modelChannels}: " +
                                   $"give mono or {modelChannels}-channel audio (other layouts need a mixing choice)");
        return info;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> to <paramref name="modelChannels"/> at <paramref name="modelRate"/> into a hidden
    /// spool file in <paramref name="spoolDirectory"/> (removed when the result is disposed), as one progress stage.
    /// </summary>
    public static SpooledSamples Spool(string path, int modelRate, int modelChannels, string spoolDirectory, string nameHint,
        IProgress<JobProgress>? progress, string stage = "read", CancellationToken cancellation = default) =>
        AssistantException.Guard(() => ProgressStage.Run(progress, stage, "frames", cancellation, s =>
            Spool(path, modelRate, modelChannels, spoolDirectory, nameHint, s, cancellation)));

    internal static SpooledSamples Spool(string path, int modelRate, int modelChannels, string spoolDirectory, string nameHint,
        ProgressStage progress, CancellationToken cancellation = default) =>
        InputLimits.Checked(() => SpoolChecked(path, modelRate, modelChannels, spoolDirectory, nameHint, progress, cancellation));

    private static SpooledSamples SpoolChecked(string path, int modelRate, int modelChannels, string spoolDirectory, string nameHint,
        ProgressStage progress, CancellationToken cancellation)
    {
        var options = new AudioDecodeOptions { SampleRate = modelRate, ChannelCount = modelChannels, MaxDuration = MaxDuration };
        using var reader = AudioDecoder.Open(path, options, cancellation);
        var spool = new SpooledSamples(spoolDirectory, nameHint, modelChannels);
        try
        {
            var total = reader.DeclaredSourceFrames ?? 0;
            foreach (var block in reader.ReadBlocks())
            {
                spool.Append(block.Channels, block.FrameCount);
                progress.Report(reader.SourceFramesRead, Math.Max(total, reader.SourceFramesRead));
            }
            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }
}
