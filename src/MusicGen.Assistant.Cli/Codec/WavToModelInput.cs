using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Resampling;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Codec;

/// <summary>
/// Streams a WAV file to a model's input: block by block, down-mixed (or up-mixed) to the model's channels, resampled
/// to its rate with the streaming resampler, and spooled to a temporary file. Memory stays at one block.
/// </summary>
internal static class WavToModelInput
{
    private const int BlockFrames = 1 << 16;

    // Below 1 kHz or above 768 kHz a "WAV" is almost surely a broken header, not audio worth resampling.
    private const int MinRate = 1000, MaxRate = 768_000;

    /// <summary>Checks that a WAV file can be mapped to the model's channels; returns its format.</summary>
    public static WavFormat Inspect(string wavPath, int modelChannels)
    {
        var format = WavReader.ReadFormat(wavPath);
        if (format.SampleRate is < MinRate or > MaxRate)
            throw new CliException($"'{wavPath}' is {format.SampleRate} Hz: supported input rates are {MinRate} to {MaxRate} Hz");
        if (modelChannels > 1 && format.ChannelCount != 1 && format.ChannelCount != modelChannels)
            throw new CliException($"'{wavPath}' has {format.ChannelCount} channels; this EnCodec takes {modelChannels}: " +
                                   $"give mono or {modelChannels}-channel audio (other layouts need a mixing choice)");
        return format;
    }

    public static SpooledSamples Spool(string wavPath, int modelRate, int modelChannels, string spoolDirectory, string nameHint,
        ProgressReporter progress)
    {
        using var reader = WavReader.Open(wavPath);
        var format = reader.Format;
        MultiChannelResampler resampler;
        try { resampler = new MultiChannelResampler(format.SampleRate, modelRate, modelChannels); }
        catch (ArgumentException e)
        {
            throw new CliException($"'{wavPath}' is {format.SampleRate} Hz, which cannot be resampled to the model's {modelRate} Hz: {e.Message}");
        }

        var spool = new SpooledSamples(spoolDirectory, nameHint, modelChannels);
        try
        {
            long read = 0;
            foreach (var block in reader.ReadBlocks(BlockFrames))
            {
                var mixed = block.ChannelCount == modelChannels ? block : ChannelMixer.ToChannels(block, modelChannels);
                var resampled = resampler.Process(mixed);
                spool.Append(resampled.Channels, resampled.FrameCount);
                read += block.FrameCount;
                progress.Report(read, format.FrameCount);
            }
            var tail = resampler.Flush();
            spool.Append(tail.Channels, tail.FrameCount);
            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }
}
