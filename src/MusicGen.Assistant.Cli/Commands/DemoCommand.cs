using System.CommandLine;
using System.Diagnostics;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Codec;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga demo</c>: the main job on embedded defaults. A short runtime summary, the cached random-weight EnCodec 32 kHz,
/// a synthesized test tone mix, then encode -> codes file -> decode, with timings. Everything is written to --out.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CommandHost host)
    {
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder for demo-input.wav, demo.codes and demo-decoded.wav (created if missing).",
            DefaultValueFactory = _ => "demo-output",
            HelpName = "DIR",
        };
        var seconds = new NumberOption<double>("--seconds", new NumberRange(0.1m, 600, "between 0.1 and 600 seconds"))
        {
            Description = "Length of the synthesized input.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("demo", "Round-trip a synthesized test signal through an UNTRAINED demo EnCodec (random weights).") { output, seconds };
        host.Bind(command, (parsed, session) => Run(session, parsed.GetValue(output)!, parsed.GetValue(seconds)));
        return command;
    }

    private static int Run(CliSession session, string outDir, double seconds)
    {
        var console = session.Console;
        var total = Stopwatch.StartNew();
        console.Line("mga demo: EnCodec 32 kHz round trip (WAV -> codes -> WAV)");
        DoctorCommand.WriteRuntimeSummary(session);
        var (modelPath, created) = ConsoleProgress.Run(session, progress => DemoCodec.Ensure(progress, session.Cancellation));
        using var model = CodecModel.Load(modelPath, session.Compute);
        console.Field("compute", DoctorCommand.ComputeSummary(session, model.Backend));
        console.Field("model", $"{modelPath} ({(created is { } t ? $"created in {Units.Duration(t)}" : "cached")}, {Units.Bytes(new FileInfo(modelPath).Length)})");
        console.Line();
        console.Line("!! UNTRAINED DEMO MODEL: the EnCodec has random weights (seed 1234). The decoded audio is structured");
        console.Line("!! noise, not a reconstruction of the input. It shows the pipeline and its speed, not quality.");
        console.Line();

        var files = DemoFiles.In(outDir);
        var (inputWav, codesPath, decodedWav) = (files.InputWav, files.Codes, files.DecodedWav);
        files.WriteTestSignal(model.Config, seconds);
        console.Line($"Synthesized {Units.Duration(TimeSpan.FromSeconds(seconds))} test tone mix (A-major chord, 1 kHz pulses, 100 Hz-8 kHz sweep) -> '{inputWav}'");

        var encoded = ConsoleProgress.Run(session, progress => EncodeJob.Create(inputWav, codesPath).Run(model, progress, session.Cancellation));
        CodecSummary.Write(console, encoded, inputWav, codesPath);
        var decoded = ConsoleProgress.Run(session, progress => DecodeJob.Create(codesPath, decodedWav).Run(model, progress, session.Cancellation));
        CodecSummary.Write(console, decoded, codesPath, decodedWav);

        console.Line();
        var codecTime = encoded.EncodeTime + decoded.WallTime;
        console.Field("round trip", $"encode + decode {Units.Duration(codecTime)} for {Units.Duration(encoded.Codes.Duration)} of audio: " +
                                    Units.RealTimeFactor(codecTime, encoded.Codes.Duration.TotalSeconds), indent: 0);
        console.Field("total", Units.Duration(total.Elapsed), indent: 0);
        console.Line("Reminder: UNTRAINED DEMO MODEL (random weights); demo-decoded.wav is structured noise by design.");
        return ExitCodes.Success;
    }
}
