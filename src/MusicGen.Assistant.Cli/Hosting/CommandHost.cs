using System.CommandLine;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>Runs a command's body with a <see cref="CliSession"/> and turns whatever it throws into an error report.</summary>
internal sealed class CommandHost(CliConsole console, GlobalOptions options)
{
    public CliConsole Console { get; } = console;
    public GlobalOptions Options { get; } = options;

    public void Bind(Command command, Func<ParseResult, CliSession, int> run) =>
        command.SetAction((parsed, token) =>
        {
            try
            {
                return Task.FromResult(run(parsed, new CliSession(Console, Options, parsed, token)));
            }
            catch (Exception e)
            {
                return Task.FromResult(ErrorReport.Write(e, Console, parsed.GetValue(Options.Verbose)));
            }
        });
}
