using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Embedding;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga embed music|image|video &lt;file&gt; --model encoder.gguf [--adapters adapters.gguf] [--out token.npy]</c>:
/// M2UGen's perception of one file, from the media to the LLaMA-width token.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create(CommandHost host)
    {
        var modality = new Argument<string>("modality") { Description = "What the file is: music, image or video." };
        modality.AcceptOnlyFromAmong("music", "image", "video");
        var input = new Argument<string>("file") { Description = "Media file (anything ffmpeg reads; WAV is read directly)." };
        var model = new Option<string>("--model", "-m")
        {
            Description = "Encoder GGUF from `mga convert`: MERT/HuBERT for music, ViT for images, ViViT for video.",
            Required = true,
        };
        var adapters = new Option<string?>("--adapters", "-a") { Description = "Adapters GGUF (converted from an M2UGen checkpoint); adds the adapter token." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the token (or, without --adapters, the encoder feature) to a .npy or .safetensors file." };
        var preprocessor = new Option<string?>("--preprocessor") { Description = "preprocessor_config.json for images / video (default: M2UGen's settings at the model's image size)." };
        var command = new Command("embed", "Encode a music, image or video file and run M2UGen's adapter on it.") { modality, input, model, adapters, output, preprocessor };
        host.Bind(command, (parsed, session) =>
        {
            var job = EmbedJob.Create(new EmbedRequest(M2UGenModalities.Parse(parsed.GetValue(modality)!), parsed.GetValue(input)!, parsed.GetValue(model)!,
                parsed.GetValue(adapters), parsed.GetValue(output), parsed.GetValue(preprocessor)));
            var result = ConsoleProgress.Run(session, progress => job.Run(session.Compute, progress, session.Cancellation));
            Write(session.Console, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliConsole console, EmbedResult r)
    {
        var (request, encoded, adapted) = (r.Request, r.Encoded, r.Adapted);
        console.Line($"Embedded '{request.MediaPath}' ({request.Modality.Name()})");
        console.Field("input", encoded.Input);
        console.Field("encoder", encoded.Encoder);
        FeatureSummary.Write(console, "features", encoded.Values, encoded.Shape);
        if (adapted is not null)
        {
            FeatureSummary.Write(console, "aggregated", adapted.Aggregated, [1, adapted.InWidth]);
            FeatureSummary.Write(console, "token", adapted.Token, [1, adapted.Dim]);
        }
        else console.Field("token", "not computed (give --adapters adapters.gguf for the adapter token)");
        console.Field("time", $"decode {Units.Duration(encoded.DecodeTime)}, encode {Units.Duration(encoded.EncodeTime)}" +
                              (adapted is null ? "" : $", adapter {Units.Duration(r.AdapterTime)}") + $", total {Units.Duration(r.TotalTime)}");
        if (request.Modality == M2UGenModality.Music && encoded.MediaSeconds is { } seconds)
            console.Field("speed", $"encoder {Units.RealTimeFactor(encoded.EncodeTime, seconds)}");
        if (request.OutputPath is { } written)
            console.Field("wrote", Path.GetExtension(written).Equals(".npy", StringComparison.OrdinalIgnoreCase)
                ? $"'{written}': {r.Arrays[0].Name} [{string.Join(", ", r.Arrays[0].Shape)}] float32"
                : $"'{written}': {string.Join(", ", r.Arrays.Select(a => $"{a.Name} [{string.Join(", ", a.Shape)}]"))} float32");
    }
}
