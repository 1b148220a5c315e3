using System.CommandLine;
using MusicGen.Assistant.Cli.Commands;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli;

/// <summary>The command tree of <c>mga</c>.</summary>
internal static class MgaCommand
{
    public static RootCommand Create(CliConsole console)
    {
        var options = new GlobalOptions();
        var host = new CommandHost(console, options);
        var root = new RootCommand("MusicGen.Assistant command line: generate music from text, check the ggml runtime, convert checkpoints, encode and decode audio with EnCodec.");
        options.AddTo(root);
        root.Subcommands.Add(DoctorCommand.Create(host));
        root.Subcommands.Add(ConvertCommand.Create(host));
        root.Subcommands.Add(CodecCommand.Create(host));
        root.Subcommands.Add(GenerateCommand.Create(host));
        root.Subcommands.Add(EditCommand.Create(host));
        root.Subcommands.Add(EmbedCommand.Create(host));
        root.Subcommands.Add(DemoCommand.Create(host));
        root.Subcommands.Add(AskCommand.Create(host));
        root.Subcommands.Add(ChatCommand.Create(host));
        root.Subcommands.Add(ServeCommand.Create(host));
        root.Subcommands.Add(TrainCommand.Create(host));
        root.Subcommands.Add(DatasetCommand.Create(host));
        return root;
    }
}
