using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Codec;

namespace MusicGen.Assistant.Cli.Presentation;

/// <summary>The lines <c>mga codec encode|decode</c> and <c>mga demo</c> print for an encode or a decode.</summary>
internal static class CodecSummary
{
    public static void Write(CliConsole console, EncodeReport r, string inputPath, string outputCodes)
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

    public static void Write(CliConsole console, DecodeReport r, string codesPath, string outputWav)
    {
        var f = r.Codes.Format;
        console.Line($"Decoded '{codesPath}' -> '{outputWav}'");
        console.Field("codes", $"{r.Codes.FrameCount} frames x {f.Codebooks} codebooks of {f.CodebookSize}");
        console.Field("output", $"{f.SampleRate} Hz, {f.Channels} ch, {r.Format}, {Units.Duration(r.Codes.Duration)} ({r.Codes.SampleCount} samples)");
        console.Field("peak", r.Peak.Describe());
        console.Field("wall time", Units.Duration(r.WallTime));
        console.Field("speed", Units.RealTimeFactor(r.WallTime, r.Codes.Duration.TotalSeconds));
        console.Field("memory", $"{Units.Bytes(r.ModelMemory)} on the backend (weights + one chunk's compute buffer)");
    }
}
