using System.Diagnostics;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Codec;

/// <summary>What a decode did, for the summary.</summary>
public sealed record DecodeReport(AudioCodesHeader Codes, WavSampleFormat Format, TimeSpan WallTime, PeakLevel Peak, long ModelMemory);

/// <summary>
/// Codes file -> EnCodec decoder, chunk by chunk -> WAV file trimmed to the original sample count (written to a
/// temporary file and renamed when complete; removed when cancelled or failed). Stage: "decode".
/// </summary>
public sealed class DecodeJob
{
    private DecodeJob(string codes, string output, WavSampleFormat format, AudioCodesHeader header)
    {
        CodesPath = codes;
        OutputPath = output;
        Format = format;
        Header = header;
    }

    public string CodesPath { get; }
    public string OutputPath { get; }
    public WavSampleFormat Format { get; }

    /// <summary>The codes file's header, read (and checked) when the job was created.</summary>
    public AudioCodesHeader Header { get; }

    /// <summary>Checks the codes file's header and the output place, before any model is loaded.</summary>
    /// <param name="modelPath">The codec's file, when known: the output may not replace it.</param>
    public static DecodeJob Create(string codes, string output, WavSampleFormat format = WavSampleFormat.Float32, string? modelPath = null) =>
        AssistantException.Guard(() =>
        {
            var inPath = InputFiles.Require(codes, "codes file");
            var outPath = OutputFiles.Require(output, "output WAV", [new("codes file", inPath), .. EncodeJob.ModelInput(modelPath)]);
            OutputFiles.CheckWritable(outPath, output, "output WAV");
            return new DecodeJob(inPath, outPath, format, AudioCodesFile.ReadHeader(inPath));
        });

    public DecodeReport Run(CodecModel model, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() =>
        {
            using var _ = model.EnterJob(cancellation);
            return RunEntered(model, progress, cancellation);
        });

    private DecodeReport RunEntered(CodecModel model, IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var codes = AudioCodesFile.Read(CodesPath);
        CodesModelMatch.Check(codes.Header, model.Config, CodesPath, model.Path);

        using var writer = WavWriter.Open(OutputPath, model.Config.SamplingRate, model.Config.AudioChannels, Format);
        try
        {
            var remaining = codes.Header.SampleCount;
            var peak = new PeakMeter();
            ProgressStage.Run(progress, "decode", "frames", cancellation, stage =>
            {
                model.Codec.Decode(codes.Codes, block =>
                {
                    // the last frame covers hop samples; keep only those of the original signal
                    var n = (int)Math.Min(block[0].Length, remaining);
                    if (n <= 0) return;
                    writer.Write(block, 0, n);
                    foreach (var channel in block) peak.Add(channel.AsSpan(0, n));
                    remaining -= n;
                }, stage);
                return 0;
            });
            cancellation.ThrowIfCancellationRequested();
            writer.Complete();
            return new DecodeReport(codes.Header, Format, clock.Elapsed, peak.Level(Format == WavSampleFormat.Float32), model.Codec.MemoryBytes);
        }
        catch
        {
            writer.Abort();
            throw;
        }
    }
}
