using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Codec;

/// <summary>What an encode did, for the summary.</summary>
public sealed record EncodeReport(InputAudioInfo Input, AudioCodesHeader Codes, double Kbps, TimeSpan PrepareTime, TimeSpan EncodeTime, long ModelMemory)
{
    public TimeSpan WallTime => PrepareTime + EncodeTime;
}

/// <summary>
/// Audio file (WAV, or any media through ffmpeg) -> model input (streamed, spooled beside the output) -> EnCodec
/// codes -> codes file (written to a temporary file and renamed when complete). Stages: "read", "encode".
/// </summary>
public sealed class EncodeJob
{
    private EncodeJob(string input, string output, double? bandwidthKbps)
    {
        InputPath = input;
        OutputPath = output;
        BandwidthKbps = bandwidthKbps;
    }

    public string InputPath { get; }
    public string OutputPath { get; }
    public double? BandwidthKbps { get; }

    /// <summary>Checks the input (a file with usable sound) and the output place, before any model is loaded.</summary>
    /// <param name="modelPath">The codec's file, when known: the output may not replace it.</param>
    public static EncodeJob Create(string input, string output, double? bandwidthKbps = null, string? modelPath = null,
        CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            var inPath = InputFiles.Require(input, "input audio");
            var outPath = OutputFiles.Require(output, "output codes file", [new("input audio", inPath), .. ModelInput(modelPath)]);
            OutputFiles.CheckWritable(outPath, output, "output codes file");
            MediaToModelInput.Inspect(inPath, modelChannels: 1, cancellation);
            return new EncodeJob(inPath, outPath, bandwidthKbps);
        });

    internal static IEnumerable<NamedInput> ModelInput(string? modelPath) => modelPath is null ? [] : [new("model", modelPath)];

    public EncodeReport Run(CodecModel model, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            using var _ = model.EnterJob(cancellation);
            return RunEntered(model, progress, cancellation);
        });

    private EncodeReport RunEntered(CodecModel model, IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var config = model.Config;
        var input = MediaToModelInput.Inspect(InputPath, config.AudioChannels, cancellation);
        if (input.FrameCount == 0) throw AssistantException.BadInput($"'{InputPath}' holds no audio (0 frames)");

        var clock = Stopwatch.StartNew();
        using var samples = ProgressStage.Run(progress, "read", "frames", cancellation, stage =>
            MediaToModelInput.Spool(InputPath, config.SamplingRate, config.AudioChannels,
                Path.GetDirectoryName(OutputPath)!, Path.GetFileName(OutputPath), stage, cancellation));
        var prepare = clock.Elapsed;
        if (samples.Length == 0)
            throw AssistantException.BadInput(input.FrameCount is > 0
                ? $"'{InputPath}' is too short: {input.FrameCount} frames at {input.SampleRate} Hz give no sample at {config.SamplingRate} Hz"
                : $"'{InputPath}' holds no audio (0 frames decoded)");

        clock.Restart();
        var encoded = ProgressStage.Run(progress, "encode", "frames", cancellation, stage => model.Codec.Encode(samples, BandwidthKbps, stage));
        var format = new AudioCodesFormat(config.SamplingRate, config.HopLength, config.CodebookSize, encoded.Codes.Length, config.AudioChannels);
        cancellation.ThrowIfCancellationRequested();
        AudioCodesFile.Write(OutputPath, format, encoded.Codes, encoded.SampleCount);
        var encode = clock.Elapsed;

        var kbps = format.Codebooks * Math.Log2(format.CodebookSize) * format.FramesPerSecond / 1000;
        var header = new AudioCodesHeader(format, encoded.SampleCount, encoded.Codes[0].LongLength);
        return new EncodeReport(input, header, kbps, prepare, encode, model.Codec.MemoryBytes);
    }
}
