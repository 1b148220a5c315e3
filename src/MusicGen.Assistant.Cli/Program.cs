using System.CommandLine;
using MusicGen.Assistant.Cli.Commands;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli;

/// <summary>
/// The <c>mga</c> command line. Exit codes: 0 done; 1 the command could not do its job (a missing, corrupt or
/// mismatched file, no natives); 2 the command line itself is wrong (unknown command or option, bad value);
/// 130 cancelled (Ctrl+C).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs one command in this process, writing results to <paramref name="output"/> and errors and
    /// progress to <paramref name="error"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, null);

    /// <summary>As above, reading what the user types from <paramref name="input"/> (null: the console).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input)
    {
        var console = new CliConsole(output, error, CliConsole.IsTerminal(output), input);
        var root = MgaCommand.Create(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var message in parsed.Errors.Select(e => e.Message).Distinct()) error.WriteLine($"error: {message}");
            error.WriteLine("Run 'mga --help' (or 'mga <command> --help') for usage.");
            return ExitCodes.Usage;
        }
        return parsed.Invoke(new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false,
            // chat handles Ctrl+C itself (it cancels the turn, not the session); serve's host stops on it
            ProcessTerminationTimeout = ChatCommand.HandlesInterrupt(parsed) || ServeCommand.HandlesInterrupt(parsed) ? null : new InvocationConfiguration().ProcessTerminationTimeout,
        });
    }
}
