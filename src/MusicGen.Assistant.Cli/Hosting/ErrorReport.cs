using MusicGen.Assistant.Models;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>
/// Turns an exception into what the user sees: one clear message (the library exceptions already name the file and
/// the problem) and an exit code; the stack trace only with --verbose.
/// </summary>
internal static class ErrorReport
{
    public static int Write(Exception e, CliConsole console, bool verbose)
    {
        var (message, code) = Describe(e);
        console.Error.WriteLine($"error: {message}");
        if (verbose) console.Error.WriteLine(e.ToString());
        else if (code == ExitCodes.Failed && !IsExpected(e)) console.Error.WriteLine("(run with --verbose for the stack trace)");
        return code;
    }

    private static (string Message, int Code) Describe(Exception e) => e switch
    {
        CliException c => (c.Message, c.ExitCode),
        OperationCanceledException => ("cancelled", ExitCodes.Cancelled),
        _ when IsExpected(e) => (e.Message, ExitCodes.Failed),
        _ => ($"unexpected {e.GetType().Name}: {e.Message}", ExitCodes.Failed),
    };

    // Failures a user can cause with a file, a folder, the natives or a model: the message is the whole story.
    private static bool IsExpected(Exception e) => e is CliException or NativeRuntimeException or GgmlException
        or FormatException or InvalidDataException or IOException or UnauthorizedAccessException
        or ModelConfigException or ModelWeightsException or ArgumentException or KeyNotFoundException;
}
