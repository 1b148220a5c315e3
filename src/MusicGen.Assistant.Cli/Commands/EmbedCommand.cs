using MusicGen.Assistant.Files;
using System.CommandLine;
using MusicGen.Assistant.Cli.Embedding;
using MusicGen.Assistant.Cli.Hosting;
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
            var request = new EmbedRequest(
                M2UGenModalities.Parse(parsed.GetValue(modality)!),
                InputFiles.Require(parsed.GetValue(input)!, "input file"),
                InputFiles.Require(parsed.GetValue(model)!, "encoder model"),
                parsed.GetValue(adapters) is { } a ? InputFiles.Require(a, "adapters file") : null,
                parsed.GetValue(output) is { } o ? OutputFiles.Require(o, "output file") : null,
                parsed.GetValue(preprocessor) is { } p ? InputFiles.Require(p, "preprocessor config") : null);
            if (request.PreprocessorConfig is not null && request.Modality == M2UGenModality.Music)
                throw new CliException("--preprocessor applies to images and video; the music encoder's settings are in its GGUF", ExitCodes.Usage);
            return EmbedJob.Run(session, request);
        });
        return command;
    }
}
