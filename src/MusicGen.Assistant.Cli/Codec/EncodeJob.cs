using System.Diagnostics;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Codes;

namespace MusicGen.Assistant.Cli.Codec;

/// <summary>What an encode did, for the summary.</summary>
internal sealed record EncodeReport(InputAudioInfo Input, AudioCodesHeader Codes, double Kbps, TimeSpan PrepareTime, TimeSpan EncodeTime, long ModelMemory)
{
    public TimeSpan WallTime => PrepareTime + EncodeTime;
}

/// <summary>Audio file (WAV, or any media through ffmpeg) -> model input (streamed, spooled) -> EnCodec codes -> codes file.</summary>
internal static class EncodeJob
{
    public static EncodeReport Run(CliSession session, LoadedCodec model, string inputPath, string outputCodes, double? bandwidthKbps)
    {
        var config = model.Config;
        var input = MediaToModelInput.Inspect(inputPath, config.AudioChannels, session.Cancellation);
        if (input.FrameCount == 0) throw new CliException($"'{inputPath}' holds no audio (0 frames)");

        var clock = Stopwatch.StartNew();
        using var samples = ConsoleProgress.Run(session, "read", "frames", progress =>
            MediaToModelInput.Spool(inputPath, config.SamplingRate, config.AudioChannels,
                Path.GetDirectoryName(outputCodes)!, Path.GetFileName(outputCodes), progress, session.Cancellation));
        var prepare = clock.Elapsed;
        if (samples.Length == 0)
            throw new CliException(input.FrameCount is > 0
                ? $"'{inputPath}' is too short: {input.FrameCount} frames at {input.SampleRate} Hz give no sample at {config.SamplingRate} Hz"
                : $"'{inputPath}' holds no audio (0 frames decoded)");

        clock.Restart();
        var encoded = ConsoleProgress.Run(session, "encode", "frames", progress => model.Codec.Encode(samples, bandwidthKbps, progress));
        var format = new AudioCodesFormat(config.SamplingRate, config.HopLength, config.CodebookSize, encoded.Codes.Length, config.AudioChannels);
        AudioCodesFile.Write(outputCodes, format, encoded.Codes, encoded.SampleCount);
        var encode = clock.Elapsed;

        var kbps = format.Codebooks * Math.Log2(format.CodebookSize) * format.FramesPerSecond / 1000;
        var header = new AudioCodesHeader(format, encoded.SampleCount, encoded.Codes[0].LongLength);
        return new EncodeReport(input, header, kbps, prepare, encode, model.Codec.MemoryBytes);
    }

    public static void WriteSummary(CliConsole console, EncodeReport r, string inputPath, string outputCodes)
    {
        var f = r.Codes.Format;
        console.Line($"Encoded '{inputPath}' -> '{outputCodes}'");
        var conversion = new List<string>();
        if (r.Input.ChannelCount != f.Channels) conversion.Add(f.Channels == 1 ? "downmixed to mono" : $"mixed to {f.Channels} channels");
        if (r.Input.SampleRate != f.SampleRate) conversion.Add($"resampled to {f.SampleRate} Hz");
        console.Field("input", $"{r.Input.Codec}, {r.Input.SampleRate} Hz, {r.Input.ChannelCount} ch, " +
                               (r.Input.Duration is { } length ? Units.Duration(length) : "length not declared") +
                               (conversion.Count > 0 ? $" ({string.Join(", ", conversion)})" : ""));
        console.Field("duration", $"{Units.Duration(r.Codes.Duration)} ({r.Codes.SampleCount} samples at {f.SampleRate} Hz)");
        console.Field("codes", $"{r.Codes.FrameCount} frames x {f.Codebooks} codebooks of {f.CodebookSize} " +
                               $"({Units.Number(f.FramesPerSecond)} frames/s, {Units.Number(r.Kbps, "0.00")} kbps)");
        console.Field("wall time", $"{Units.Duration(r.WallTime)} (read + resample {Units.Duration(r.PrepareTime)}, encode {Units.Duration(r.EncodeTime)})");
        console.Field("speed", Units.RealTimeFactor(r.WallTime, r.Codes.Duration.TotalSeconds));
        console.Field("memory", $"{Units.Bytes(r.ModelMemory)} on the backend (weights + one chunk's compute buffer)");
    }
}
