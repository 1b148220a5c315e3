using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// Turns an exception into what the user sees: one clear line (the library's typed errors already name the file and
/// the problem) and an exit code (<see cref="ExitCodes"/>: a wrong request is a usage error); the stack trace only
/// with --verbose. Anything untyped is a bug and says so.
/// </summary>
internal static class ErrorReport
{
    public static int Write(Exception e, CliConsole console, bool verbose)
    {
        var (message, code, expected) = Describe(e);
        console.Error.WriteLine($"error: {OneLine(message)}");
        if (verbose) console.Error.WriteLine(e.ToString());
        else if (!expected) console.Error.WriteLine("(run with --verbose for the stack trace)");
        return code;
    }

    private static (string Message, int Code, bool Expected) Describe(Exception e)
    {
        if (e is CliException c) return (c.Message, c.ExitCode, true);
        if (e is OperationCanceledException) return ("cancelled", ExitCodes.Cancelled, true);
        if (AssistantException.From(e) is { } typed)
            return (typed.Message, typed.Kind == AssistantErrorKind.InvalidRequest ? ExitCodes.Usage : ExitCodes.Failed, true);
        return ($"unexpected {e.GetType().Name}: {e.Message}", ExitCodes.Failed, false);
    }

    // a message quoting a tool's output may hold line breaks; the error stays one line
    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
