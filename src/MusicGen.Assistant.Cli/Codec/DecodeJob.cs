using System.Diagnostics;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Formats.Codes;

namespace MusicGen.Assistant.Cli.Codec;

/// <summary>What a decode did, for the summary.</summary>
internal sealed record DecodeReport(AudioCodesHeader Codes, WavSampleFormat Format, TimeSpan WallTime, float Peak, long ModelMemory);

/// <summary>Codes file -> EnCodec decoder, chunk by chunk -> WAV file trimmed to the original sample count.</summary>
internal static class DecodeJob
{
    public static DecodeReport Run(CliSession session, LoadedCodec model, string codesPath, string outputWav, WavSampleFormat format)
    {
        var clock = Stopwatch.StartNew();
        var codes = AudioCodesFile.Read(codesPath);
        CodesModelMatch.Check(codes.Header, model.Config, codesPath, model.Path);

        using var writer = WavWriter.Open(outputWav, model.Config.SamplingRate, model.Config.AudioChannels, format);
        try
        {
            var remaining = codes.Header.SampleCount;
            var peak = 0f;
            ConsoleProgress.Run(session, "decode", "frames", progress =>
            {
                model.Codec.Decode(codes.Codes, block =>
                {
                    // the last frame covers hop samples; keep only those of the original signal
                    var n = (int)Math.Min(block[0].Length, remaining);
                    if (n <= 0) return;
                    writer.Write(block, 0, n);
                    foreach (var channel in block) peak = Math.Max(peak, MaxAbs(channel.AsSpan(0, n)));
                    remaining -= n;
                }, progress);
                return 0;
            });
            writer.Complete();
            return new DecodeReport(codes.Header, format, clock.Elapsed, peak, model.Codec.MemoryBytes);
        }
        catch
        {
            writer.Abort();
            throw;
        }
    }

    private static float MaxAbs(ReadOnlySpan<float> x)
    {
        var m = 0f;
        foreach (var v in x) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    public static void WriteSummary(CliConsole console, DecodeReport r, string codesPath, string outputWav)
    {
        var f = r.Codes.Format;
        console.Line($"Decoded '{codesPath}' -> '{outputWav}'");
        console.Field("codes", $"{r.Codes.FrameCount} frames x {f.Codebooks} codebooks of {f.CodebookSize}");
        console.Field("output", $"{f.SampleRate} Hz, {f.Channels} ch, {r.Format}, {Units.Duration(r.Codes.Duration)} ({r.Codes.SampleCount} samples)");
        console.Field("peak", $"{Units.Number(r.Peak, "0.000")} of full scale" + (r.Peak <= 1 ? "" : r.Format == WavSampleFormat.Float32
            ? " (above full scale: the float WAV keeps it; turn the volume down before listening)"
            : " (above full scale: clipped in the PCM file)"));
        console.Field("wall time", Units.Duration(r.WallTime));
        console.Field("speed", Units.RealTimeFactor(r.WallTime, r.Codes.Duration.TotalSeconds));
        console.Field("memory", $"{Units.Bytes(r.ModelMemory)} on the backend (weights + one chunk's compute buffer)");
    }
}
