using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary><c>mga codec</c>: EnCodec on audio files (<c>encode</c>, <c>decode</c>).</summary>
internal static class CodecCommand
{
    public static Command Create(CommandHost host) =>
        new("codec", "Encode audio to EnCodec codes and decode codes back to audio.")
        {
            CodecEncodeCommand.Create(host),
            CodecDecodeCommand.Create(host),
        };

    /// <summary>The --model option both subcommands require.</summary>
    public static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "GGUF file holding an EnCodec (made by `mga convert`).",
        HelpName = "m.gguf",
        Required = true,
    };
}
